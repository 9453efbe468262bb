"""The bot's own text rule, run by python3 to produce the expected values for the TS port.

stdin: {"texts": [str, ...]} -> stdout: {"processed": [...], "whitespace": [code points]}
The expression is copied from PigPig cogs/memory/embedding_service.py (_preprocess_text).
"""
import json
import sys

request = json.loads(sys.stdin.read())
processed = [" ".join(text.split())[:512] for text in request["texts"]]
whitespace = [c for c in range(sys.maxunicode + 1) if chr(c).isspace()]
# ensure_ascii keeps lone surrogates as \ud800 escapes, which JSON.parse reads back unchanged.
print(json.dumps({"processed": processed, "whitespace": whitespace}, ensure_ascii=True))
