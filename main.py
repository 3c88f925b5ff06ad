#!/usr/bin/env python3
"""Synthesize the app of a values file into plain Kubernetes YAML.

    .venv/bin/python main.py --values values/003-local-k8s-deployment.yaml --outdir dist
    kubectl apply -f dist/

Only argument parsing lives here; the work is done in constructs/.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DEFAULT_VALUES = "values/003-local-k8s-deployment.yaml"


def use_local_node() -> None:
    """Run jsii on the project's Node.js 22 (from package.json) unless JSII_NODE says otherwise.

    Must run before the first import of cdk8s or constructs: that import starts the node process.
    """
    local = ROOT / "node_modules" / ".bin" / "node"
    if "JSII_NODE" not in os.environ and local.exists():
        os.environ["JSII_NODE"] = str(local)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        epilog=(
            "Secret values come from environment variables named like their keys, or from --env-file;\n"
            "a Secret with a value missing is not rendered and the kubectl command to create it is printed.\n\n"
            "example:\n  DATABASE_URL=... .venv/bin/python main.py --values values/004-k8s-deployment.yaml --outdir out"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--values", default=DEFAULT_VALUES, metavar="FILE", help=f"values file to render (default: {DEFAULT_VALUES})"
    )
    parser.add_argument(
        "--outdir",
        default=os.environ.get("CDK8S_OUTDIR") or "dist",
        metavar="DIR",
        help="directory to write the manifests to, replaced as a whole (default: $CDK8S_OUTDIR or dist)",
    )
    parser.add_argument("--env-file", metavar="FILE", help="dotenv file with Secret values (the environment wins over it)")
    parser.add_argument(
        "--require-secrets",
        action="store_true",
        help="fail (exit 1, nothing written) when a Secret value is missing, instead of skipping that Secret",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    use_local_node()
    from constructs.cli import run

    return run(
        values=Path(args.values),
        outdir=Path(args.outdir),
        env_file=Path(args.env_file) if args.env_file else None,
        require_secrets=args.require_secrets,
    )


if __name__ == "__main__":
    sys.exit(main())
