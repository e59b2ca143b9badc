#pragma once

#include "engineservice.h"
#include "gitrepo.h"

#include <QByteArray>
#include <QString>

namespace slipway::test {

// Commits to `repo` a small web app the deploy tests roll out: /bin/busybox running httpd on
// `port` as PID 1, serving `version` at / and, when `healthy`, "ok" at /health (the [deploy]
// health check, whose timeout is `healthTimeout`, a spec duration). It is named "web" and has
// stop_timeout = 1: httpd as PID 1 ignores SIGTERM, so retiring it waits the whole grace. The
// commit's message is `message`, or the version. With a `hostPort`, it publishes `port` there (so
// a new release has to stop the old one first). `extraToml` goes at the end of its slipway.toml
// (e.g. a [deploy.proxy] table). False when a file cannot be written or the
// commit fails.
bool commitWebApp(GitRepo &repo, const QByteArray &version, bool healthy, quint16 port,
                  const QString &message = {}, quint16 hostPort = 0, const QByteArray &healthTimeout = "6s",
                  const QByteArray &extraToml = {});

// Runs on `engine` a container `name` labelled as release `release` of `app`, as a deploy labels
// its containers, for the log tests: it prints "started" on stderr, then "line N" on stdout every
// 100 ms, N counting on from `start` across restarts (the count lives in the container's file
// system); SIGTERM ends it between two lines. False when it cannot be run.
bool runTicker(const EngineService &engine, const QString &name, const QString &app, const QString &release,
               int start = 0);

// What is wrong with the line numbers a ticker's log was followed with, empty when nothing:
// none may be lost or repeated, and they come in order but for at most `late` lines, each a line
// an engine's stream skipped and the follower brought when it picked the stream up again
// (Podman 4.3, around a restart). A number that came late is named in `notes`.
QString tickerLinesProblem(const QList<int> &numbers, int late, QString *notes = nullptr);

} // namespace slipway::test
