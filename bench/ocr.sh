#!/usr/bin/env bash
# OCR time per receipt image, per scanned PDF page and per text PDF, through the release `mvp-ocr`
# service (Tesseract 5, poppler) on this machine, one request at a time. Inputs are generated here:
# a 6-line receipt drawn with DejaVu Sans (Pillow in a venv), the same receipt as an image-only PDF,
# and a hand-written PDF with a text layer. Loopback only; N requests each.
# Usage: bench/ocr.sh [N=20]
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"
N="${1:-20}"
PORT="${MVP_BENCH_OCR_PORT:-3191}"
ensure_rust
apt_ensure tesseract-ocr tesseract-ocr-eng poppler-utils fonts-dejavu-core python3-venv
have hey || apt_ensure hey
VENV="$DATA_DIR/venv"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c "import PIL" 2>/dev/null || "$VENV/bin/pip" install -q --disable-pip-version-check pillow==11.0.0

if [ -z "${MVP_BENCH_SKIP_BUILD:-}" ]; then
  say "building mvp-ocr (release)"
  cargo build --release --locked -q -p mvp-ocr
fi
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/mvp-ocr"
WORK="$(mktemp -d)"
trap '[ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT
MVP_OCR_BIND="127.0.0.1:$PORT" MVP_OCR_CONCURRENCY=1 "$BIN" serve > "$WORK/ocr.log" 2>&1 &
SERVER=$!

"$VENV/bin/python" - "$WORK" <<'PY'
import sys
from PIL import Image, ImageDraw, ImageFont
work = sys.argv[1]
lines = ["SHELL STATION 1234", "123 MAIN ST SPRINGFIELD", "DATE 03/14/2026 08:42",
         "GALLONS 10.123", "PRICE/GAL $3.459", "TOTAL $35.02"]
font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 40)
img = Image.new("L", (1100, 80 + 56 * len(lines)), 255)
draw = ImageDraw.Draw(img)
for i, line in enumerate(lines):
    draw.text((40, 40 + 56 * i), line, font=font, fill=0)
img.save(f"{work}/receipt.png")
img.convert("RGB").save(f"{work}/receipt-scan.pdf", resolution=150)
# A one-page PDF with a text layer (Helvetica), written by hand.
content = "BT /F1 14 Tf 72 720 Td 18 TL " + " ".join(f"({l}) Tj T*" for l in lines) + " ET"
objs = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
out, offsets = "%PDF-1.4\n", []
for i, o in enumerate(objs, 1):
    offsets.append(len(out)); out += f"{i} 0 obj\n{o}\nendobj\n"
xref = len(out)
out += f"xref\n0 {len(objs)+1}\n0000000000 65535 f \n" + "".join(f"{o:010d} 00000 n \n" for o in offsets)
out += f"trailer\n<< /Size {len(objs)+1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
open(f"{work}/receipt-text.pdf", "w").write(out)
for name in ["receipt.png", "receipt-scan.pdf", "receipt-text.pdf"]:
    data = open(f"{work}/{name}", "rb").read()
    body = (b"--BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name.encode()
            + b"\"\r\nContent-Type: application/octet-stream\r\n\r\n" + data + b"\r\n--BOUNDARY--\r\n")
    open(f"{work}/{name}.body", "wb").write(body)
PY
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
say "$(nproc) cores, $(date -u +%FT%TZ), $N requests each, one at a time; $(tesseract --version 2>&1 | head -1)"
for name in receipt.png receipt-scan.pdf receipt-text.pdf; do
  curl -s -X POST -H 'content-type: multipart/form-data; boundary=BOUNDARY' --data-binary @"$WORK/$name.body" \
    "http://127.0.0.1:$PORT/extract?kind=fuel_receipt" | python3 -c "import json,sys; d=json.load(sys.stdin); print('  $name fields:', {k: v for k, v in d['fields'].items() if v is not None}, 'confidence', d['confidence'])"
  out="$(hey -n "$N" -c 1 -m POST -T 'multipart/form-data; boundary=BOUNDARY' -D "$WORK/$name.body" \
    "http://127.0.0.1:$PORT/extract?kind=fuel_receipt")"
  printf '%-20s avg %7ss  p50 %7ss  p95 %7ss  %s\n' "$name" \
    "$(echo "$out" | awk '/Average:/ {print $2}')" "$(echo "$out" | awk '/ 50% in/ {print $3}')" \
    "$(echo "$out" | awk '/ 95% in/ {print $3}')" "$(echo "$out" | awk '/\[[0-9]+\]\s+[0-9]+ responses/ {printf "%s=%s ", $1, $2}')"
done
