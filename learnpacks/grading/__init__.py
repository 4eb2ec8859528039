"""Cohort grading on nbgrader (``learnpacks cohort ...``; guide: docs/facilitators.md).

One module per concern; data flows from top to bottom:

=================  ==========================================================================
``cohort``         the cohort folder; ``init_cohort``
``settings``       ``cohort.json`` validated by typed models (file, key path, choices)
``release``        nbgrader's generate_assignment, the hand-in cell, the learners' zip
``handin``         learner side, standard library only: "download my work" as one zip
``collect``        hand-ins (zips, folders, LMS downloads) checked and filed in ``submitted/``
``authority``      the authoritative graded cells, read from nbgrader's gradebook
``prepare``        a submission rebuilt around the authority (ids, not positions, decide)
``limits``         every limit learner code runs under, with its default
``sandbox``        a sandbox per learner: own PID/mount/network namespaces and root, no caps
``cgroups``        a cgroup per learner: memory and processes of the whole kernel tree
``kernel``         starting a confined kernel (subprocess) and connecting to it
``forkserver``     the pre-forked kernel server (cheap start-up)
``tamper``         learner code that changes how later cells run: scan, probe, proof of execution
``execute``        running cells with the execute_reply as the truth, capped outputs, timeouts
``run``            grading one notebook: plain data in, JSON out (what a worker runs)
``gradebook``      validating results and writing them through nbgrader's ``Gradebook`` API
``grade``          the whole cohort: process pool or Dask, lock, resumable
``feedback``       per-learner HTML without hidden tests, in the cohort's language
``report``         gradebook CSV and the HTML report
``cli``            the ``cohort`` command group
=================  ==========================================================================

Importing this package imports nothing heavy; nbgrader, nbconvert and jupyter_client are
imported by the modules that need them, nbgrader without its package ``__init__`` (its server
extensions, see :mod:`learnpacks.grading.nbgrader_import`).
"""

from learnpacks.grading.nbgrader_import import defer_package_init

defer_package_init()
