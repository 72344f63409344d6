"""Minutes (biên bản làm việc) of a visit: the record becomes `input.py`'s frozen
input, `context.py` turns it into the document's plain context, `operations.py`
runs the workflow (draft, wording, finalize, sign, seal, correct), `documents.py`
serves and verifies stored versions, `keys.py` manages the sealing certificate.
Read `operations.py` first."""
