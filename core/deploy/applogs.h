#pragma once

#include "engine/target.h"
#include "util/result.h"

#include <QDateTime>
#include <QString>

#include <chrono>
#include <functional>
#include <stop_token>

namespace slipway {

// One line an app's container wrote.
struct AppLogLine
{
    QString target;
    QString container; // its name, "web-12"; of a Swarm service's task, "web.2"
    QString release;
    int stream = 1; // 1 stdout, 2 stderr
    QDateTime time; // as the engine stamped it, UTC
    QString text;
};

struct AppLogOptions
{
    int tail = 100;                      // lines back to start from; -1: all the engine kept
    std::chrono::seconds since{0};       // only lines of the last `since`; 0: no limit
    bool follow = false;                 // keep following until stopped
    std::chrono::milliseconds poll{250}; // while following: how often to look for the next life
};

// The logs of `app` on `target`: its running container (the newest release's when several
// run, as during a rollout; else the newest one), `tail` lines back, then with `follow` every
// line as it comes, until `stop` is requested. A container that restarts, or that a deploy
// replaces by the next release's, is followed into its next life: the stream is picked up again
// from the last line's time, and no line is delivered twice.
//
// On a Swarm manager (targetkind.h), an app that is a service is followed as a whole: the lines
// of all its tasks, on whichever node, as Swarm gathers them (GET /services/{id}/logs; `tail` is
// per task), each with its task's name ("web.2") as the container; while following, a task that
// starts later (a restart's) is in the same stream.
//
// Blocking: for a worker thread. onLine is called on that thread. An app that has no container
// on the target is a BadInput error naming target and app; a target that cannot be reached (at
// the start or while following) an error naming the target.
Status followAppLogs(const Target &target, const QString &app, const AppLogOptions &options,
                     const std::function<void(const AppLogLine &)> &onLine, std::stop_token stop);

} // namespace slipway
