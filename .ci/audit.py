"""pip-audit over the installed packages, for CI (`make audit`).

- The vulnerability service (PyPI's JSON API, which pip-audit asks) cannot be reached:
  say so and pass. A machine without the network cannot audit; that is not a failure
  of the code, and the message makes it visible in the log.
- A vulnerability with a fixed version: fail, naming the package, the advisory and the
  version to upgrade to (raise the lower bound in pyproject.toml, or upgrade pip /
  setuptools, which the Makefile installs at their newest).
- A vulnerability no release fixes yet: listed as a warning, not a failure (there is
  nothing to upgrade to; read the advisory and decide).
- The audit itself fails while the service answered: fail, with pip-audit's message.
"""

import json
import subprocess
import sys
import urllib.error
import urllib.request

SERVICE = "https://pypi.org/pypi/pip/json"


def service_reachable() -> bool:
    try:
        with urllib.request.urlopen(SERVICE, timeout=15) as response:
            return response.status == 200
    except (urllib.error.URLError, TimeoutError, OSError):
        return False


def main() -> int:
    if not service_reachable():
        print(f"pip-audit skipped: the vulnerability service ({SERVICE}) cannot be reached.")
        return 0
    result = subprocess.run(
        [sys.executable, "-m", "pip_audit", "--skip-editable", "--format", "json",
         "--progress-spinner", "off"],
        capture_output=True,
        text=True,
    )  # fmt: skip
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print("pip-audit could not complete:\n" + result.stderr, file=sys.stderr)
        return 2
    fixable, unfixed = [], []
    for package in report.get("dependencies", []):
        for vuln in package.get("vulns", []):
            line = f"{package['name']} {package['version']}: {vuln['id']}"
            if vuln.get("fix_versions"):
                fixable.append(f"{line} (fixed in {', '.join(vuln['fix_versions'])})")
            else:
                unfixed.append(f"{line} (no fixed release yet)")
    audited = len(report.get("dependencies", []))
    for line in unfixed:
        print(f"warning: {line}")
    if fixable:
        print("Known vulnerabilities with a fix; upgrade these:", *fixable, sep="\n  ")
        return 1
    print(f"pip-audit: {audited} packages, no known vulnerability with a fix.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
