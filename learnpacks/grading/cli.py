"""``learnpacks cohort ...``: parses, calls :mod:`learnpacks.grading`, prints. No logic here.

Exit codes: 0 done; 1 done, but something needs a human (a rejected hand-in, a flagged
submission); 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from learnpacks.clitools import root_arg


def _cohort(args: argparse.Namespace) -> Any:
    from learnpacks.grading.cohort import load_cohort

    return load_cohort(Path(args.cohort))


def _cmd_init(args: argparse.Namespace) -> int:
    from learnpacks.clitools import print_json
    from learnpacks.grading.cohort import init_cohort

    cohort = init_cohort(
        Path(args.directory),
        pack=args.pack,
        root=root_arg(args),
        language=args.lang,
        db_url=args.db,
        force=args.force,
    )
    if args.json:
        print_json(
            {
                "cohort": str(cohort.root),
                "pack": cohort.pack,
                "language": cohort.language,
                "notebooks": cohort.notebooks,
            }
        )
    else:
        print(
            f"cohort {cohort.root}: pack {cohort.pack} ({cohort.language}), "
            f"{len(cohort.notebooks)} notebooks"
        )
        print(f"next: learnpacks cohort release -C {args.directory}")
    return 0


def _cmd_release(args: argparse.Namespace) -> int:
    from learnpacks.clitools import print_json
    from learnpacks.grading.release import release_cohort

    release = release_cohort(_cohort(args))
    if args.json:
        print_json(release.to_dict())
        return 0
    print(f"released {len(release.notebooks)} notebooks to {release.folder}")
    print(f"zip for learners: {release.archive}")
    for target, links in release.launch.items():
        for notebook, url in links.items():
            print(f"{target}: {notebook}: {url}")
    return 0


def _cmd_collect(args: argparse.Namespace) -> int:
    from learnpacks.clitools import print_json
    from learnpacks.grading.collect import collect

    report = collect(
        _cohort(args),
        [Path(s) for s in args.sources],
        as_learner=args.as_learner,
        lms_timezone=args.lms_timezone,
    )
    if args.json:
        print_json(report.to_dict())
    else:
        for learner, files in sorted(report.accepted.items()):
            when = report.times.get(learner, {})
            said = " (as the LMS recorded)" if when.get("from") == "lms" else ""
            print(f"accepted {learner}: {', '.join(files)}; handed in {when.get('time')}{said}")
        for r in report.rejected:
            where = f"{r.source}:{r.member}" if r.member else r.source
            print(f"rejected {where}: [{r.code}] {r.reason}", file=sys.stderr)
        for r in report.ignored:
            print(f"ignored {r.source}:{r.member}: [{r.code}] {r.reason}", file=sys.stderr)
        if report.rejected:
            learners = sorted({r.learner for r in report.rejected if r.learner})
            print(
                f"{len(report.rejected)} rejected ({', '.join(learners) or 'no learner named'}); "
                f"{len(report.accepted)} hand-ins filed",
                file=sys.stderr,
            )
    return 1 if report.rejected else 0


def _cmd_grade(args: argparse.Namespace) -> int:
    # The sandbox's probe of this machine and the kernels' fork server first, before this
    # process imports nbgrader and reads the cohort: they run (the server imports IPython) on
    # the other core meanwhile.
    from learnpacks.grading import sandbox

    sandbox.probe_early()
    server = None
    if args.launcher == "prefork" and not args.scheduler:
        from learnpacks.grading.forkserver import SharedServer

        server = SharedServer()
    try:
        return _grade(args, server)
    finally:
        if server is not None:
            server.stop()


def _grade(args: argparse.Namespace, server: Any) -> int:
    from learnpacks.clitools import print_json
    from learnpacks.grading.grade import grade_cohort

    cohort = _cohort(args)
    kwargs = {
        "workers": args.workers,
        "scheduler": args.scheduler,
        "launcher": args.launcher,
        "force": args.force,
        "allow_weak_confinement": args.allow_weak_confinement,
        "fork_server": server,
    }
    if args.json or not sys.stderr.isatty():
        summary = grade_cohort(cohort, **kwargs)
    else:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            transient=False,
            auto_refresh=False,
        ) as bar:  # no refresh thread: workers are forked
            job = bar.add_task("grading", total=None)

            def show(done: int, total: int, label: str) -> None:
                bar.update(
                    job, completed=done, total=total, description=label or "grading", refresh=True
                )

            summary = grade_cohort(cohort, on_progress=show, **kwargs)
    if args.json:
        print_json(summary.to_dict())
    else:
        print(f"graded {len(summary.graded)} notebooks, {len(summary.skipped)} already done")
        if summary.confinement.get("level") == "weak":
            missing = "; ".join(summary.confinement["missing"])
            print(f"warning: graded with WEAK confinement (missing {missing})", file=sys.stderr)
        for student, notebooks in sorted(summary.flagged.items()):
            print(f"flagged for review: {student} ({', '.join(notebooks)})")
        for label, why in summary.invalid.items():
            print(f"invalid result {label}: {why}", file=sys.stderr)
    return 1 if summary.flagged or summary.invalid else 0


def _cmd_feedback(args: argparse.Namespace) -> int:
    from learnpacks.clitools import print_json
    from learnpacks.grading.feedback import generate_feedback

    written = generate_feedback(_cohort(args))
    if args.json:
        print_json({k: [str(p) for p in v] for k, v in written.items()})
    else:
        for student, paths in sorted(written.items()):
            print(f"{student}: {', '.join(str(p) for p in paths)}")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from learnpacks.clitools import print_json
    from learnpacks.grading.report import build_report

    report = build_report(_cohort(args))
    if args.json:
        print_json(report.to_dict())
    else:
        print(f"gradebook: {report.csv_path}")
        print(f"report: {report.html_path}")
        print(
            f"{report.handed_in} handed in, {len(report.missing)} not, "
            f"{len(report.manual)} items waiting for manual grading"
        )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``cohort`` and its sub-commands to the ``learnpacks`` parser."""
    group = subparsers.add_parser(
        "cohort",
        help="run a cohort with nbgrader: release, collect, grade, feedback, report",
        description="Facilitate a cohort: an nbgrader course built from a pack. Guide: "
        "docs/facilitators.md.",
    )
    sub = group.add_subparsers(dest="cohort_command", metavar="COMMAND", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "-C",
            "--cohort",
            default=".",
            metavar="DIR",
            help="the cohort folder (default: the current folder)",
        )
        p.add_argument("--json", action="store_true", help="machine-readable output")

    p = sub.add_parser(
        "init",
        help="create a cohort folder for a pack",
        description="Create DIR: an nbgrader course with the pack (in --lang) as "
        "its assignment and a gradebook (SQLite, or --db URL). All or nothing: a failed init "
        "leaves no half-made cohort.",
    )
    p.add_argument("directory", metavar="DIR")
    p.add_argument("--pack", required=True, metavar="PACK_ID")
    p.add_argument("--lang", metavar="LANG", help="the cohort's language (default: the pack's)")
    p.add_argument(
        "--db",
        metavar="URL",
        help="SQLAlchemy URL of a shared gradebook, e.g. postgresql+psycopg2://user@host/cohort",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="re-create the settings, nbgrader configuration and source/ of an existing cohort "
        "(hand-ins, results and grades are kept; if it fails, the cohort is left as it was)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_cmd_init)

    p = sub.add_parser("release", help="generate the learners' notebooks, a zip and links")
    common(p)
    p.set_defaults(func=_cmd_release)

    p = sub.add_parser(
        "collect",
        help="file hand-ins (zips, folders, LMS downloads)",
        description="Check and file hand-ins into submitted/. Sources are never "
        "changed. The learner is who the facilitator's side says: --as NAME, else the roster's "
        "entry for the LMS folder (roster.csv: id,lms), else the collected file's or folder's "
        "name (<learner>--<pack>.zip); a hand-in that says it is someone else is refused "
        "(collect.identity-conflict) and never replaces anyone's work. The hand-in time is "
        "the LMS's where its download records one (Blackboard), else the time of this "
        "collect; never the hand-in's own. Each bad hand-in (corrupt, "
        "nested too deep, too large in total) is rejected alone; the rest are filed. "
        "Exit 1 if anything was rejected.",
    )
    p.add_argument(
        "sources",
        nargs="+",
        metavar="SRC",
        help="hand-in zips, folders (of notebooks or of zips) and LMS bulk downloads",
    )
    p.add_argument(
        "--as",
        dest="as_learner",
        metavar="NAME",
        help="the learner this one hand-in belongs to (checked against what it says)",
    )
    p.add_argument(
        "--lms-timezone",
        metavar="ZONE",
        help="time zone of the submission times an LMS download records without one "
        "(Blackboard's; an IANA name such as Europe/Paris; default: this machine's)",
    )
    common(p)
    p.set_defaults(func=_cmd_collect)

    p = sub.add_parser("grade", help="autograde every hand-in, in parallel and resumable")
    p.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="parallel workers (default: one more than the CPUs)",
    )
    p.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://h:8786")
    p.add_argument(
        "--launcher",
        choices=["prefork", "subprocess"],
        default="prefork",
        help="kernel start-up (default: prefork)",
    )
    p.add_argument("--force", action="store_true", help="regrade what is already graded")
    p.add_argument(
        "--allow-weak-confinement",
        action="store_true",
        help="grade even where learner code cannot be fully confined (no PID namespace or "
        "cgroup per learner); results and the report say so. Default: refuse",
    )
    common(p)
    p.set_defaults(func=_cmd_grade)

    p = sub.add_parser(
        "feedback",
        help="HTML feedback per learner, hidden tests removed",
        description="Write feedback/<learner>/<pack>/<notebook>.html: rendered and sanitized "
        "(no learner script, no javascript: links, nothing loaded from the internet), "
        "entirely in the cohort's language, hidden tests never shown.",
    )
    common(p)
    p.set_defaults(func=_cmd_feedback)

    p = sub.add_parser("report", help="gradebook CSV and an HTML report with plots")
    common(p)
    p.set_defaults(func=_cmd_report)
