"""Reports (报表): read-only figures over jobs, parts and after-sales care, their charts
and exports.  ``period`` and ``scope`` say which days and service points a report
covers; ``kpis`` and ``complaints`` define each figure once; ``charts`` draws SVG on
the server; ``exports`` writes CSV and the month's XLSX workbook.  Nothing here
writes to the database."""
