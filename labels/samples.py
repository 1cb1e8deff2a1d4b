"""Realistic sample documents, in English and Chinese.

For a settings page's "print a test label", the benchmark and the tests. The
people, handsets and IMEIs are made up (the IMEIs pass the Luhn check).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from .receipts import (
    BillLine,
    Customer,
    Handset,
    IntakeReceipt,
    Payment,
    PickupReceipt,
    ServicePoint,
    WarrantyDecision,
)
from .tags import BinLabel, TagLabel

TERMS_EN = (
    "We repair the fault described above. Back up your data before leaving the handset: "
    "repairs may erase it and we are not liable for lost data. Work beyond the ceiling "
    "is done only with your consent. Handsets not collected within 90 days of the ready "
    "notice may be disposed of as the law allows. Damage from liquid, drops or opening "
    "by others is not covered by warranty. Parts replaced under warranty become our property."
)
TERMS_ZH = (
    "本店仅维修上述故障。请在送修前自行备份数据，维修可能导致数据丢失，本店不承担数据丢失责任。"
    "超出费用上限的维修须经您同意后方可进行。自通知取机之日起90日内未取机的，本店将依法处理。"
    "进水、摔落、非本店拆修造成的损坏不在保修范围内。保修期内更换下的旧件归本店所有。"
)

_SP_EN = ServicePoint("SZ01", "Futian Phone Service Centre",
                      "Shop 12, 88 Shennan Road, Futian District, Shenzhen", "0755-8888 1234")
_SP_ZH = ServicePoint("SZ01", "深圳福田手机售后服务中心", "深圳市福田区深南大道88号12号铺", "0755-8888 1234")


def sample_tag_label(lang: str = "en", number: int = 123) -> TagLabel:
    """A device tag label for job ``SZ01-<number>``."""
    if lang == "zh":
        return TagLabel(f"SZ01-{number:06d}", "华为", "Mate 60 Pro", "屏幕碎裂，触摸失灵",
                        date(2026, 11, 29), service_point_name=_SP_ZH.name, imei="352099001761481")
    return TagLabel(f"SZ01-{number:06d}", "Apple", "iPhone 13", "Cracked screen, touch dead at bottom",
                    date(2026, 11, 29), service_point_name=_SP_EN.name,
                    imei="356938035643809", imei2="356938035643817")


def sample_bin_label(lang: str = "en") -> BinLabel:
    if lang == "zh":
        return BinLabel("BAT-HW-M60P", "华为 Mate 60 Pro 电池（原装）", "B-11-4")
    return BinLabel("LCD-IP13-BK", "iPhone 13 OLED screen assembly, black", "A-03-2")


def sample_intake_receipt(lang: str = "en", status_url: str = "https://repair.example.com/status") -> IntakeReceipt:
    if lang == "zh":
        return IntakeReceipt(
            service_point=_SP_ZH,
            job_number="SZ01-000123",
            customer=Customer("王芳", "13812345678"),
            handset=Handset("华为", "Mate 60 Pro", "雅川青", imei="352099001761481"),
            received_at=datetime(2026, 11, 22, 14, 5),
            fault_category="屏幕",
            fault_description="摔落后屏幕碎裂，下半部分触摸无反应，显示正常。",
            checklist=[("屏幕", "碎裂"), ("后盖", "完好"), ("边框", "轻微划痕"), ("摄像头", "正常"),
                       ("按键", "正常"), ("进水标签", "未触发")],
            cosmetic_notes="左下角边框有磕碰痕迹。",
            accessories_left=["SIM卡托", "保护壳"],
            estimate=Decimal("1280.00"),
            estimate_ceiling=Decimal("1500.00"),
            warranty=WarrantyDecision(
                "保修期外（整机保修12个月，已过期）", True, ["维修"],
                ["购机已超过12个月，整机保修已过期。", "屏幕损坏由摔落造成，属人为损坏，不在三包范围内。"],
                date(2025, 10, 3)),
            promised_on=date(2026, 11, 29),
            terms=TERMS_ZH,
            status_url=status_url,
            captions="zh",
        )
    return IntakeReceipt(
        service_point=_SP_EN,
        job_number="SZ01-000123",
        customer=Customer("Wang Fang", "13812345678"),
        handset=Handset("Apple", "iPhone 13", "Midnight", imei="352099001761481"),
        received_at=datetime(2026, 11, 22, 14, 5),
        fault_category="Display",
        fault_description="Screen cracked after a drop; lower half does not respond to touch. Display itself works.",
        checklist=[("Screen", "Cracked"), ("Back cover", "OK"), ("Frame", "Light scratches"),
                   ("Cameras", "OK"), ("Buttons", "OK"), ("Liquid indicator", "Not triggered")],
        cosmetic_notes="Dent on the bottom-left corner of the frame.",
        accessories_left=["SIM tray", "Case"],
        estimate=Decimal("1280.00"),
        estimate_ceiling=Decimal("1500.00"),
        warranty=WarrantyDecision(
            "Out of warranty (main unit, 12 months)", True, ["Repair"],
            ["The 12-month main unit warranty ended on 2025-10-03.",
             "The screen was damaged by a drop, which the warranty does not cover."],
            date(2025, 10, 3)),
        promised_on=date(2026, 11, 29),
        terms=TERMS_EN,
        status_url=status_url,
    )


def sample_pickup_receipt(lang: str = "en") -> PickupReceipt:
    zh = lang == "zh"
    intake = sample_intake_receipt(lang)
    return PickupReceipt(
        service_point=intake.service_point,
        job_number=intake.job_number,
        customer=intake.customer,
        handset=intake.handset,
        received_at=intake.received_at,
        collected_at=datetime(2026, 11, 26, 17, 40),
        work_done="更换屏幕总成，功能测试通过。" if zh else "Replaced the screen assembly; all functions tested OK.",
        bill_lines=[
            BillLine("屏幕总成（原装）" if zh else "Screen assembly (genuine)", Decimal("1080.00")),
            BillLine("屏幕保护膜" if zh else "Screen protector", Decimal("30.00"), 2),
            BillLine("维修工时" if zh else "Labour", Decimal("150.00")),
        ],
        discount=Decimal("50.00"),
        deposit=Decimal("200.00"),
        payments=[Payment("微信支付" if zh else "WeChat Pay", Decimal("1040.00"))],
        accessories_returned=intake.accessories_left,
        repair_warranty_days=90,
        repair_warranty_until=date(2027, 2, 24),
        terms=(
            "维修部位自取机之日起保修90天。人为损坏不在保修范围内。" if zh else
            "The repaired part is under warranty for 90 days from collection. Accidental damage is not covered."
        ),
        status_url=intake.status_url,
        captions=lang,
    )
