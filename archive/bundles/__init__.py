"""`.sesame` bundles: hand annotated work to a colleague, signed, optionally encrypted.

- `spec`: the format (member names, limits, schemas, canonical JSON);
- `writer.export_bundle`: write a bundle of the archive, a collection, a query's hits
  or chosen articles;
- `reader.verify_bundle` / `open_bundle`: check everything without touching an archive;
- `merge.import_bundle`: verify, then merge in one core change.

docs/bundle-format.md is the format's description for other readers.
"""
