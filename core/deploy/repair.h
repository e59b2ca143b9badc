#pragma once

#include "history/history.h"
#include "util/result.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <stop_token>

namespace slipway {

class EventSink;

// Repairs: a rollout killed half-way (kill -9, a power cut) leaves its deployment `interrupted`
// (History::open finds it) and its target in between: the old container stopped to free its
// ports, the new one created or running unhealthy, the deploy lock left behind. A repair puts
// the target back as the history has it: the interrupted release's containers go, the release
// of the last succeeded deployment of the app there starts again where it was stopped, the lock
// is taken over and released; then the deployment is marked repaired, with what was done in
// its log. An interrupted release never counts as deployed, even when it got as far as healthy.
//
// `slipway-cli repair` and the window's Repair run it; every deploy, redeploy and rollback
// first repairs the interrupted deployments of its app to its targets (deployment.h).

struct RepairOptions
{
    EventSink *events = nullptr; // each target's lines (stage "deploy"), as a rollout's
    std::stop_token stop;
    bool waitForLock = true; // for a deploy of the app running there now; false: leave it for later
};

struct RepairOutcome
{
    qint64 deployment = 0; // the interrupted one
    QString target;
    QString app;
    qint64 release = 0; // the interrupted release
    qint64 serving = 0; // what serves there again, by the history; 0: no release did before
    bool repaired = false;
    bool cancelled = false; // stopped before it was done
    QString error;          // one line naming the deployment and its target
    QStringList notes;      // what was done
};

// The interrupted deployments not repaired yet, oldest first: to these targets (empty: to
// any), of this app (empty: of any).
Result<QList<DeploymentRecord>> unrepairedDeployments(const History &history, const QStringList &targets = {},
                                                      const QString &app = {});

// Repairs each in turn, on its own target (one that is not in the history any more has
// nothing left to repair, and is marked so). Blocking: for a worker thread.
QList<RepairOutcome> repairDeployments(History &history, const QList<DeploymentRecord> &interrupted,
                                       const RepairOptions &options);

} // namespace slipway
