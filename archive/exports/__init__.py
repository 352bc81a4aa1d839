"""Exports in the field's formats, all taking the same selection (`selection.Selection`).

- `originals.save_original`: the exact bytes an article was imported from, checked;
- `w3c.export_w3c`: W3C Web Annotation JSON-LD (an AnnotationCollection);
- `csv_export.export_csv`: annotations, figure claims or entities as CSV;
- `report.export_report`: a self-contained HTML report (passages marked, indexes);
- `qdpx.export_qdpx`: a REFI-QDA project (`.qdpx`) for NVivo, ATLAS.ti, MAXQDA, QualCoder;
- `selection`: the articles an export takes, read in chunks, names protected;
- `files`: atomic writing (nothing half-written under OUT's name).
"""
