"""Reports: region and hub-event reports as HTML, PDF (WeasyPrint) and XLSX (openpyxl).

Builders collect the figures (with source and provenance) into plain dataclasses; renderers
turn them into HTML (server-side SVG charts), PDF or a workbook.
"""
