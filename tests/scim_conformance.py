"""Checks a SCIM server's conformance with scim2-tester, an independent checker.

Usage: conformance.py BASE_URL TOKEN

Runs every check scim2-tester has (discovery, CRUD, attribute selection, PATCH add, remove
and replace on every attribute) against the server, as the server describes itself through
/ServiceProviderConfig, /Schemas and /ResourceTypes. Prints one line per check and exits 1
when any check ends in ERROR or CRITICAL, 0 otherwise.
"""

import sys

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

FAILING = (Status.ERROR, Status.CRITICAL)


def main() -> int:
    url, token = sys.argv[1], sys.argv[2]
    http = Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    results = check_server(SyncSCIMClient(http))
    for r in results:
        where = f" [{r.resource_type}]" if r.resource_type else ""
        reason = " ".join((r.reason or "").split())[:300]
        print(f"{r.status.name} {r.title}{where}: {reason}")
    failed = [r for r in results if r.status in FAILING]
    passed = [r for r in results if r.status == Status.SUCCESS]
    print(f"{len(results)} checks: {len(passed)} succeeded, {len(failed)} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
