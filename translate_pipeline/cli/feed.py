"""``feed``: follow RSS/Atom feeds, translate and summarize each new item once (for cron)."""

from __future__ import annotations

from pathlib import Path

import click

from translate_pipeline.cli.logs import is_quiet, log_options, quiet_option
from translate_pipeline.cli.options import (
    EXIT_FAILED,
    EXIT_LOCKED,
    EXIT_OK,
    SummaryFlags,
    cluster_option,
    cluster_spec,
    echo_missing_models,
    fail,
    make_pipeline,
    output_destination,
    reports_errors,
    run_config,
    summary_options,
    targets_option,
)
from translate_pipeline.errors import one_line

__all__ = ["feed"]

FEED_EXIT_CODES_HELP = (
    "Exit codes: 0 every feed and item done (also when there was nothing new); 1 some feed or "
    "item failed or lacks a language (the others are done and written; such items are retried "
    "next run, their problems reported once); "
    "2 usage error; 75 another run holds the state or writes to DIR (nothing done; try later)."
)


def _public_url(ctx, param, value: str | None) -> str | None:
    """--feed-url: an absolute http(s) URL (a usage error otherwise), without a trailing /."""
    if value is None:
        return None
    import urllib.parse

    parts = urllib.parse.urlsplit(value.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(f"{value!r} is not an absolute http(s) URL (the public URL of "
                                 "the output folder, e.g. https://example.org/feeds)")
    if parts.query or parts.fragment:
        raise click.BadParameter(f"{value!r}: the folder's URL takes no ?query or #fragment")
    return value.strip().rstrip("/")


@click.command(epilog=FEED_EXIT_CODES_HELP)
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@targets_option
@click.option("--output", "-o", "output", required=True, type=click.Path(file_okay=False),
              help="Output folder: DIR/<feed>/<item>.json|.LANG.md and DIR/<feed>.LANG.atom.")
@click.option("--state", "state_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="SQLite state file [default: feeds.sqlite3 in $TRANSLATE_PIPELINE_HOME].")
@click.option("--max-items", type=click.IntRange(min=1), default=None, metavar="N",
              help="At most N items per feed and run, oldest first; the rest wait for the next run.")
@click.option("--fetch-article", is_flag=True,
              help="Fetch each item's link and translate the page's main text (trafilatura).")
@click.option("--wait", type=click.FloatRange(0, 3600), default=10.0, show_default=True,
              metavar="SECONDS", help="Wait this long for a run holding the state, then exit 75.")
@click.option("--timeout", type=click.FloatRange(1, 600), default=30.0, show_default=True,
              metavar="SECONDS", help="Network timeout per request.")
@quiet_option(help="Only new problems (errors, warnings, the models to install): nothing at all "
                   "when nothing is wrong.")
@click.option("--feed-url", metavar="BASE", default=None, callback=_public_url,
              help="The public URL of DIR (https://example.org/feeds): each Atom feed gets its "
                   "rel=self link BASE/<feed>.LANG.atom and only absolute entry links.")
@cluster_option
@summary_options
@log_options(quiet=False)
@reports_errors
def feed(sources, targets, output: Path, state_path, max_items, fetch_article, wait, timeout, quiet,
         feed_url, cluster, flags: SummaryFlags) -> int:
    """Follow RSS/Atom feeds: translate and summarize each new item once (made for cron).

    SOURCE is a feed URL, a feed file, or an OPML file (or URL) listing feeds. Each item is
    written as by 'run' under DIR/<feed slug>/, and each feed gets a translated Atom feed per
    --to language, DIR/<feed slug>.LANG.atom (newest 50 items). The state (a SQLite file) keeps
    what was done; a rerun with nothing new fetches conditionally and translates nothing.

    Made for cron: each problem is reported once, when it first occurs (the state remembers
    it), then counted in one reminder line while it lasts; a run that did nothing new prints
    nothing, and with --quiet only new problems are printed.

    \b
    Examples:
      translate-pipeline feed https://example.org/news.rss --to en -o /srv/feeds
      translate-pipeline feed feeds.opml --to en --to uk -o out --max-items 20 --quiet
      translate-pipeline feed news.xml --to de -o out --state /var/lib/tp/feeds.sqlite3
      translate-pipeline feed feeds.opml --to en -o /shared/feeds --cluster local:4
      translate-pipeline feed feeds.opml --to uk -o /srv/www/feeds --feed-url https://example.org/feeds
    """
    from contextlib import nullcontext

    from translate_pipeline.feeds.run import FeedOptions, run_feeds
    from translate_pipeline.errors import StateLocked
    from translate_pipeline.feeds.state import open_state

    quiet = quiet or is_quiet()
    config = run_config(targets, flags)
    spec = cluster_spec(cluster)
    output = output_destination(output, urls=False, stdout=False).path

    try:
        state = open_state(state_path, wait=wait)
    except StateLocked as exc:
        fail(str(exc))
        return EXIT_LOCKED
    def pipeline():  # loaded only when some item needs work
        return make_pipeline(config)

    options = FeedOptions(output=output, settings=config.settings, max_items=max_items,
                          fetch_article=fetch_article, timeout=timeout, feed_url=feed_url)
    processor = nullcontext()
    if spec is not None:  # one task per feed; connects only when some item needs work
        from translate_pipeline.cluster.client import FeedProcessor, Job

        processor = FeedProcessor(spec, Job(config))
    from translate_pipeline.errors import OutputLockedError
    from translate_pipeline.outputs.local import output_lock

    try:  # the output folder's lock too: a run (or another state's feed) may be writing there
        with state, output_lock(output), processor:
            report = run_feeds(sources, state, pipeline, options,
                               lambda level, message: click.echo(f"{level}: {one_line(message)}",
                                                                  err=True),
                               process=processor if spec is not None else None)
    except OutputLockedError as exc:
        fail(str(exc))
        return EXIT_LOCKED
    echo_missing_models(report.missing_models)
    still = (f"{report.reminders} problem{'s' if report.reminders != 1 else ''} reported by an "
             "earlier run still stand (-v shows them)") if report.reminders else ""
    if quiet:
        pass  # only new problems: nothing at all when nothing is wrong
    elif report.news:
        click.echo(
            f"feeds {report.feeds} ({report.not_modified} not modified, {report.failed_feeds} "
            f"failed); items done {report.done}, partial {report.partial}, failed {report.failed}, "
            f"skipped {report.skipped}, left for the next run {report.deferred}; "
            f"outputs in {output}" + (f"; {still}" if still else ""),
            err=True,
        )
    elif still:  # nothing new: one line, not every problem again
        click.echo(still, err=True)
    return EXIT_OK if report.ok else EXIT_FAILED
