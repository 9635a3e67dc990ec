"""The files inside a ``winmail.dat`` (Transport Neutral Encapsulation
Format, MS-OXTNEF): enough of the format to take out the attachments and the
plain-text body. Written here because the maintained Python reader is LGPL.

A TNEF stream is a signature, a key and a list of attributes, each: level
(1 message, 2 attachment), id (low 16 bits) + type (high 16 bits), length,
data, a 16-bit checksum.
"""

import struct

SIGNATURE = 0x223E9F78
LEVEL_MESSAGE = 1
LEVEL_ATTACHMENT = 2
# Attribute ids (the low 16 bits).
ATT_BODY = 0x800C
ATT_ATTACH_DATA = 0x800F
ATT_ATTACH_TITLE = 0x8010
ATT_ATTACH_REND_DATA = 0x9002
ATT_ATTACHMENT = 0x9005
PR_ATTACH_LONG_FILENAME = 0x3707
MAX_FILES = 100


def unpack(data: bytes) -> tuple[str, list[tuple[str, bytes]]] | None:
    """(body text, [(name, content)]) or None when ``data`` is not TNEF."""
    if len(data) < 6 or struct.unpack_from("<I", data, 0)[0] != SIGNATURE:
        return None
    offset = 6
    body = ""
    files: list[dict] = []
    try:
        while offset + 9 <= len(data):
            level = data[offset]
            attribute, length = struct.unpack_from("<II", data, offset + 1)
            start = offset + 9
            value = data[start : start + length]
            if len(value) != length:
                break
            offset = start + length + 2
            key = attribute & 0xFFFF  # the high half is the attribute's type
            if level == LEVEL_MESSAGE and key == ATT_BODY:
                body = value.rstrip(b"\x00").decode("cp1252", errors="replace")
            elif level == LEVEL_ATTACHMENT:
                if key == ATT_ATTACH_REND_DATA:
                    if len(files) >= MAX_FILES:
                        break
                    files.append({"name": "", "data": b""})
                elif not files:
                    continue
                elif key == ATT_ATTACH_TITLE:
                    files[-1]["name"] = value.rstrip(b"\x00").decode("cp1252", errors="replace")
                elif key == ATT_ATTACH_DATA:
                    files[-1]["data"] = value
                elif key == ATT_ATTACHMENT:
                    long_name = _long_file_name(value)
                    if long_name:
                        files[-1]["name"] = long_name
    except struct.error:
        pass
    result = []
    for index, found in enumerate(files, start=1):
        name = found["name"].strip() or f"adjunto-{index}.bin"
        result.append((name.replace("/", "_").replace("\\", "_")[:200], found["data"]))
    return body, result


def _long_file_name(props: bytes) -> str:
    """PR_ATTACH_LONG_FILENAME from an attachment's MAPI properties, if it is
    simple to find (a string property, unnamed)."""
    try:
        count = struct.unpack_from("<I", props, 0)[0]
        offset = 4
        for _index in range(min(count, 500)):
            prop_type, prop_id = struct.unpack_from("<HH", props, offset)
            offset += 4
            if prop_id >= 0x8000:
                return ""  # named properties: not worth decoding here
            if prop_type in (0x001E, 0x001F, 0x0102):  # string8, unicode, binary
                values = struct.unpack_from("<I", props, offset)[0]
                offset += 4
                for _value in range(values):
                    size = struct.unpack_from("<I", props, offset)[0]
                    offset += 4
                    raw = props[offset : offset + size]
                    offset += (size + 3) & ~3
                    if prop_id == PR_ATTACH_LONG_FILENAME:
                        if prop_type == 0x001F:
                            return raw.decode("utf-16-le", errors="replace").rstrip("\x00")
                        return raw.decode("cp1252", errors="replace").rstrip("\x00")
            elif prop_type in (0x0002, 0x000B, 0x0003, 0x0004):  # padded to 4 bytes
                offset += 4
            elif prop_type in (0x0005, 0x0006, 0x0007, 0x0014, 0x0040):  # 8-byte values
                offset += 8
            elif prop_type == 0x0048:  # GUID
                offset += 16
            else:
                return ""
    except struct.error:
        return ""
    return ""
