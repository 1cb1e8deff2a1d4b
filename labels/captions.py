"""Printed captions in English and Simplified Chinese.

Documents take ``captions`` as ``"en"``, ``"zh"`` or a mapping; a mapping is
laid over the English set, so a caller may override a few keys (a shop's own
wording) without supplying all of them. Values with ``{placeholders}`` are
formatted with the names shown in the English set.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

CaptionsArg = str | Mapping[str, str]

EN: Mapping[str, str] = MappingProxyType({
    # tag and bin labels
    "due": "Due",
    "bin": "Bin",
    # receipt headings
    "title_intake": "Repair intake receipt",
    "title_pickup": "Pickup receipt",
    "job_number": "Job no.",
    "received": "Received",
    "collected": "Collected",
    "promised": "Promised by",
    "section_customer": "Customer",
    "customer": "Name",
    "phone": "Phone",
    "section_handset": "Handset",
    "brand_model": "Brand / model",
    "colour": "Colour",
    "imei": "IMEI",
    "imei2": "IMEI 2",
    "serial": "Serial no.",
    "section_fault": "Fault",
    "fault_category": "Category",
    "fault_description": "Description",
    "section_condition": "Condition at intake",
    "cosmetic_notes": "Cosmetic notes",
    "accessories_left": "Accessories left",
    "none": "None",
    "list_separator": ", ",
    "section_estimate": "Estimate",
    "estimate": "Estimate",
    "ceiling": "Agreed ceiling",
    "section_warranty": "Warranty check",
    "warranty_status": "Status",
    "remedies": "Remedies",
    "chargeable": "Chargeable",
    "yes": "Yes",
    "no": "No",
    "reasons": "Reasons",
    "warranty_ends": "Warranty ends on",
    "section_terms": "Terms",
    "signature": "Customer signature",
    "date": "Date",
    "status_online": "Check status online at {url} with job number {job} "
                     "and the last 4 digits of your phone.",
    "feedback": "How did we do? Scan the code or open {url} and answer one question.",
    "page": "Page {page} of {pages}",
    # pickup receipt
    "work_done": "Work done",
    "section_bill": "Bill",
    "item": "Item",
    "qty": "Qty",
    "unit_price": "Unit price",
    "amount": "Amount",
    "subtotal": "Subtotal",
    "discount": "Discount",
    "total": "Total",
    "deposit": "Deposit paid",
    "balance": "Balance due",
    "payment": "Paid ({method})",
    "accessories_returned": "Accessories returned",
    "repair_warranty": "Repair warranty",
    "repair_warranty_days": "{days} days",
    "repair_warranty_until": "{days} days, until {until}",
    "signature_pickup": "Customer signature (handset and accessories received in good order)",
})
"""English captions; every key a document can print."""

ZH: Mapping[str, str] = MappingProxyType({
    "due": "承诺",
    "bin": "库位",
    "title_intake": "维修受理单",
    "title_pickup": "取机单",
    "job_number": "工单号",
    "received": "受理时间",
    "collected": "取机时间",
    "promised": "承诺完成日期",
    "section_customer": "客户信息",
    "customer": "姓名",
    "phone": "电话",
    "section_handset": "机器信息",
    "brand_model": "品牌型号",
    "colour": "颜色",
    "imei": "IMEI 串号",
    "imei2": "IMEI 2",
    "serial": "序列号",
    "section_fault": "故障信息",
    "fault_category": "故障类别",
    "fault_description": "故障描述",
    "section_condition": "外观及检测",
    "cosmetic_notes": "外观备注",
    "accessories_left": "随机附件",
    "none": "无",
    "list_separator": "、",
    "section_estimate": "预估费用",
    "estimate": "预估金额",
    "ceiling": "费用上限",
    "section_warranty": "保修判定",
    "warranty_status": "保修状态",
    "remedies": "可选处理方式",
    "chargeable": "是否收费",
    "yes": "是",
    "no": "否",
    "reasons": "原因",
    "warranty_ends": "保修截止",
    "section_terms": "服务条款",
    "signature": "客户签名",
    "date": "日期",
    "status_online": "凭工单号 {job} 及手机号后4位，可在 {url} 查询维修进度。",
    "feedback": "您对本次服务满意吗？请扫码或打开 {url} 回答一个问题。",
    "page": "第 {page} 页，共 {pages} 页",
    "work_done": "维修内容",
    "section_bill": "费用明细",
    "item": "项目",
    "qty": "数量",
    "unit_price": "单价",
    "amount": "金额",
    "subtotal": "小计",
    "discount": "优惠",
    "total": "合计",
    "deposit": "已付定金",
    "balance": "应付金额",
    "payment": "实付（{method}）",
    "accessories_returned": "归还附件",
    "repair_warranty": "维修保修",
    "repair_warranty_days": "{days}天",
    "repair_warranty_until": "{days}天，至{until}止",
    "signature_pickup": "客户签名（机器及附件已当面验收）",
})
"""Simplified Chinese captions."""

CAPTION_SETS: Mapping[str, Mapping[str, str]] = MappingProxyType({"en": EN, "zh": ZH})


def resolve_captions(captions: CaptionsArg) -> Mapping[str, str]:
    """The full caption mapping for ``captions``.

    Raises:
        ValueError: an unknown caption set name (the message lists the known
            ones) or a mapping with keys no document prints (likely a typo).
    """
    if isinstance(captions, str):
        try:
            return CAPTION_SETS[captions]
        except KeyError:
            raise ValueError(
                f"unknown caption set {captions!r}; allowed: {', '.join(CAPTION_SETS)}"
            ) from None
    unknown = sorted(set(captions) - set(EN))
    if unknown:
        raise ValueError(f"unknown caption keys {unknown}; known keys are those of labels.captions.EN")
    return {**EN, **captions}
