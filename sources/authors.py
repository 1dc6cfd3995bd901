"""Authors as a curator types them: "Snow, Edgar; U.S. Census Bureau" ⇄ CSL-JSON names.

A person is "Family, Given" (one comma); an organisation is its name without a comma, or
in braces when it has one ("{Ministry of Commerce, PRC}"); names are separated by ";".
"""

from django.core.exceptions import ValidationError


def parse_authors(text: str) -> list[dict]:
    """The CSL-JSON names of `text`, or a ValidationError naming the part that cannot be read."""
    names = []
    for index, part in enumerate(text.split(";"), start=1):
        part = " ".join(part.split())
        if not part:
            if text.strip():
                continue  # a trailing or doubled ";"
            break
        if part.startswith("{") and part.endswith("}") and len(part) > 2:
            names.append({"literal": part[1:-1].strip()})
            continue
        pieces = [piece.strip() for piece in part.split(",")]
        if len(pieces) == 1:
            names.append({"literal": part})
        elif len(pieces) == 2 and all(pieces):
            names.append({"family": pieces[0], "given": pieces[1]})
        else:
            raise ValidationError(
                f"Author {index} ({part!r}) cannot be read: write a person as "
                "“Family, Given” (one comma) and an organisation as its name, in braces if "
                "it has a comma ({Ministry of Commerce, PRC}); separate authors with “;”."
            )
    return names


def format_authors(names: list[dict]) -> str:
    """`names` as parse_authors reads them back."""
    parts = []
    for name in names or []:
        if "literal" in name:
            literal = name["literal"]
            parts.append(f"{{{literal}}}" if "," in literal or ";" in literal else literal)
        elif name.get("given"):
            parts.append(f"{name.get('family', '')}, {name['given']}")
        else:
            parts.append(name.get("family", ""))
    return "; ".join(parts)
