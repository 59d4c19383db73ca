"""Dependency audit (issue 14): pip-audit over the installed environment, summarised in one line per
finding. Printed, not gating: where the vulnerability database cannot be reached (these machines
reach only a package mirror), it says how many packages went unaudited instead of passing silently.

    .venv/bin/python scripts/dependency_audit.py
"""

import json
import subprocess
import sys


def main() -> int:
    try:
        result = subprocess.run(  # our own interpreter, fixed arguments
            [sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off"],
            capture_output=True,
            text=True,
            timeout=180,
        )
    except subprocess.TimeoutExpired:
        print("Dependency audit: pip-audit did not answer within 180 s; nothing audited.")
        return 0
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print("Dependency audit: pip-audit gave no report:", (result.stderr or result.stdout).strip()[-300:])
        return 0
    packages = report.get("dependencies", [])
    skipped = [package for package in packages if "skip_reason" in package]
    vulnerable = [package for package in packages if package.get("vulns")]
    print(
        f"Dependency audit: {len(packages)} packages, {len(packages) - len(skipped)} audited, "
        f"{len(vulnerable)} with known vulnerabilities, {len(skipped)} not audited"
    )
    for package in vulnerable:
        for vulnerability in package["vulns"]:
            fixed = ", ".join(vulnerability.get("fix_versions", [])) or "no fix yet"
            print(f"  {package['name']} {package['version']}: {vulnerability['id']} (fixed in {fixed})")
    if skipped and len(skipped) == len(packages):
        print("  The vulnerability database was not reachable from this machine (only the package mirror is).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
