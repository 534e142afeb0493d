"""Reports: region and hub-event reports as HTML, PDF (WeasyPrint) and XLSX (openpyxl).

Value types in :mod:`~silkhub.report.model` (``Profile`` → ``Section`` → figures, facts,
``Table``); charts in :mod:`~silkhub.report.figures` (ECharts for pages, SVG for reports).
Builders by job: :mod:`~silkhub.report.dashboard`, :mod:`~silkhub.report.country`,
:mod:`~silkhub.report.region` (with :mod:`~silkhub.report.openness` and
:mod:`~silkhub.report.directory`), :mod:`~silkhub.report.benchmark` (index, summary);
:mod:`~silkhub.report.builders` assembles the downloadable reports and
:mod:`~silkhub.report.render` turns them into bytes. Queries live in the data and hub layers.
"""
