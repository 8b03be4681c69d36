"""The PDF/A-3B structure of a file, checked clause by clause with pypdf and poppler.

veraPDF, the reference validator, is a Java program that none of the registries this project
may use (PyPI, Debian, npm) ships; the PyPI wrappers that mention it download it at run time.
So these are the clauses of ISO 19005-3 that the reports can break, checked one by one on the
final revision of the file (a signed copy is read with its incremental update applied).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pdf_readers import pdffonts
from pypdf import PdfReader
from pypdf.generic import IndirectObject

PDF_VERSION = "1.7"


def pdfa3b_faults(path: Path) -> list[str]:
    """Every PDF/A-3B clause ``path`` breaks, as readable lines (empty when it conforms)."""
    faults: list[str] = []
    header = path.read_bytes()[:8]
    if header != b"%PDF-" + PDF_VERSION.encode():
        faults.append(f"header {header!r}, expected %PDF-{PDF_VERSION}")
    reader = PdfReader(path)
    if reader.is_encrypted:
        return [*faults, "encrypted (PDF/A forbids encryption)"]
    catalog = reader.trailer["/Root"]
    version = catalog.get("/Version")
    if version is not None and str(version) != f"/{PDF_VERSION}":
        faults.append(f"catalog /Version {version}, PDF/A-3 is PDF {PDF_VERSION}")
    for name, declared in (catalog.get("/Extensions") or {}).items():
        declared = declared.get_object()
        for extension in declared if isinstance(declared, list) else [declared]:
            base = str(extension.get_object().get("/BaseVersion"))
            if base != f"/{PDF_VERSION}":
                faults.append(f"extension {name} is based on PDF {base}")
    if "/ID" not in reader.trailer:
        faults.append("no file identifier (trailer /ID)")
    faults.extend(_xmp_faults(reader))
    faults.extend(_output_intent_faults(catalog))
    faults.extend(
        f"font {font['name']} is not embedded" for font in pdffonts(path) if not font["embedded"]
    )
    faults.extend(_associated_file_faults(reader))
    return faults


def _xmp_faults(reader: PdfReader) -> list[str]:
    xmp = reader.xmp_metadata
    if xmp is None:
        return ["no XMP metadata stream"]
    text = xmp.stream.get_data().decode("utf-8")
    faults = []
    if _xmp_value(text, "pdfaid", "part") != "3":
        faults.append(f"XMP pdfaid:part is {_xmp_value(text, 'pdfaid', 'part')!r}, expected '3'")
    if _xmp_value(text, "pdfaid", "conformance") != "B":
        faults.append(
            f"XMP pdfaid:conformance is {_xmp_value(text, 'pdfaid', 'conformance')!r}, expected 'B'"
        )
    info = reader.trailer.get("/Info")
    info = info.get_object() if info is not None else {}
    pairs = {
        "/Producer": _xmp_value(text, "pdf", "Producer"),
        "/Keywords": _xmp_value(text, "pdf", "Keywords"),
        "/Creator": _xmp_value(text, "xmp", "CreatorTool"),
        "/Title": _xmp_alt(text, "title"),
    }
    for key, in_xmp in pairs.items():
        if key in info and str(info[key]) != in_xmp:
            faults.append(f"/Info {key} {str(info[key])!r} differs from the XMP's {in_xmp!r}")
    for key, name in (("/CreationDate", "CreateDate"), ("/ModDate", "ModifyDate")):
        if key in info:
            in_xmp = _xmp_value(text, "xmp", name)
            if in_xmp is None or _pdf_date(str(info[key])) != _iso_date(in_xmp):
                faults.append(f"/Info {key} {info[key]} differs from the XMP's xmp:{name} {in_xmp}")
    return faults


def _xmp_value(text: str, prefix: str, name: str) -> str | None:
    match = re.search(rf'{prefix}:{name}="([^"]*)"|<{prefix}:{name}>([^<]*)<', text)
    if match is None:
        return None
    return _unescape(match[1] if match[1] is not None else match[2])


def _xmp_alt(text: str, name: str) -> str | None:
    match = re.search(rf"<dc:{name}[^>]*>.*?<rdf:li[^>]*>([^<]*)</rdf:li>", text, re.DOTALL)
    return _unescape(match[1]) if match else None


def _unescape(value: str) -> str:
    return value.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def _pdf_date(value: str) -> datetime:
    match = re.fullmatch(r"D:(\d{14})(Z|[+-]\d\d'?\d\d'?)?", value)
    assert match, value
    zone = (match[2] or "Z").replace("'", "")
    offset = "+0000" if zone == "Z" else zone
    return datetime.strptime(f"{match[1]}{offset}", "%Y%m%d%H%M%S%z").astimezone(UTC)


def _iso_date(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _output_intent_faults(catalog: Any) -> list[str]:
    intents = [i.get_object() for i in catalog.get("/OutputIntents") or []]
    pdfa = [i for i in intents if str(i.get("/S")) == "/GTS_PDFA1"]
    if not pdfa:
        return ["no PDF/A output intent (/S /GTS_PDFA1)"]
    profile = pdfa[0].get("/DestOutputProfile")
    if profile is None:
        return ["the PDF/A output intent has no embedded ICC profile"]
    data = profile.get_object().get_data()
    if data[36:40] != b"acsp":
        return ["the output intent's profile is not an ICC profile"]
    return []


def _associated_file_faults(reader: PdfReader) -> list[str]:
    """Every embedded file is an associated file of the document, with its relationship."""
    catalog = reader.trailer["/Root"]
    names = catalog.get("/Names", {}).get("/EmbeddedFiles", {}).get("/Names", [])
    specs = [names[i + 1] for i in range(0, len(names), 2)]
    associated = catalog.get("/AF") or []
    faults = []
    listed = {_ref(spec) for spec in associated}
    for spec in specs:
        obj = spec.get_object()
        name = str(obj.get("/UF") or obj.get("/F"))
        if _ref(spec) not in listed:
            faults.append(f"{name} is embedded but not in the catalog's /AF")
        if obj.get("/AFRelationship") is None:
            faults.append(f"{name} has no /AFRelationship")
        stream = obj.get("/EF", {}).get("/F")
        if stream is None:
            faults.append(f"{name} has no embedded file stream")
        elif stream.get_object().get("/Subtype") is None:
            faults.append(f"{name} has no MIME type (/Subtype)")
    if len(associated) != len(listed):
        faults.append("the catalog's /AF lists a file twice")
    return faults


def _ref(value: Any) -> Any:
    return (value.idnum, value.generation) if isinstance(value, IndirectObject) else id(value)
