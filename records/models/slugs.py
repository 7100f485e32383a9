from django.utils.text import slugify


def unique_slug(model, *parts: str, field: str = "slug", max_length: int = 200) -> str:
    """A readable slug from the first part, adding the later parts (e.g. the state) only when needed."""
    base = slugify(parts[0])[:max_length] or "item"
    candidates = [base]
    if len(parts) > 1:
        candidates.append(slugify(" ".join(p for p in parts if p))[:max_length])
    for candidate in candidates:
        if not model.objects.filter(**{field: candidate}).exists():
            return candidate
    stem, number = candidates[-1], 2
    while model.objects.filter(**{field: f"{stem}-{number}"}).exists():
        number += 1
    return f"{stem}-{number}"
