"""The soak's PNG: one panel per measure, one colour per member, a break in
the line at each restart, and a dotted line at each disruption."""

import matplotlib

matplotlib.use("Agg")  # no display
import matplotlib.pyplot as plt  # noqa: E402

PANELS = (("rss_mb", "RSS (MB)"),
          ("threads", "threads"),
          ("fds", "open files (dashed: not client connections)"),
          ("dead_conns", "client conns closed by the client, open in the server"),
          ("sqlite_mb", "SQLite db + WAL (MB)"),
          ("cpu_pct", "CPU (% of a core)"),
          ("p99_ms", "p99 of the load's requests per interval (ms, log)"),
          ("loadavg", "machine load (1-min loadavg, 2 cores)"))
COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:red")


def draw(rows, events, members, path, title):
    fig, axes = plt.subplots(4, 2, figsize=(14, 13), sharex=True)
    for ax, (metric, label) in zip(axes.flat, PANELS):
        for i, m in enumerate(members):
            mine = [r for r in rows if r["member"] == m and r[metric] != ""]
            for k, life in enumerate(sorted({r["life"] for r in mine})):
                part = [r for r in mine if r["life"] == life]
                ax.plot([r["t"] for r in part], [r[metric] for r in part], color=COLOURS[i % 4],
                        lw=1, label=m if k == 0 else None)
                if metric == "fds":
                    ax.plot([r["t"] for r in part], [r["fds_other"] for r in part],
                            color=COLOURS[i % 4], lw=1, ls="--")
        for t, what, member, _ in events:
            ax.axvline(t, color="grey", ls=":", lw=0.8)
        if metric == "p99_ms":
            ax.set_yscale("log")  # a timeout of seconds beside a few ms
        ax.set_title(label, fontsize=10)
        ax.grid(alpha=0.3)
    for ax in axes[-1]:
        ax.set_xlabel("seconds")
    axes[0][0].legend(fontsize=8)
    labels = ", ".join("%.0fs %s %s" % (t, what, member) for t, what, member, _ in events)
    fig.suptitle(title + ("\n" + labels if labels else ""), fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
