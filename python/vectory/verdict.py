"""The pipeline's answer on one checkpoint."""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Verdict:
    status: str  # "accepted", "rejected" or "pending" (no answer within the timeout)
    comparisons: list = field(default_factory=list)  # ComparisonResult records (dicts), for an accepted checkpoint
    reasons: list = field(default_factory=list)  # dead letters' reasons: why it was rejected, or a comparison failed


def comparison_summary(c):
    """One line per comparison: what was compared with what, and the number."""
    b = c["b"]
    if c.get("exact", True):
        how = "exact"
    else:
        how = f"sampled: {c.get('queries')} queries"
        if c.get("ci_low") is not None:
            how += f", 95% CI [{c['ci_low']:.4f}, {c['ci_high']:.4f}]"
    return (f"{c['relation'].lower()} {b['experiment']}/{b['space']}@{b['step']}: mean Jaccard {c['mean_jaccard']:.4f} "
            f"(k={c['k']}, n={c['n']}, {how})")
