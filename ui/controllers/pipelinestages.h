#pragma once

#include "events/event.h"

#include <QElapsedTimer>
#include <QVariantList>

// The pipeline strip's stages (fetch, build, push, deploy) of the current run: each one's state
// and elapsed time, from the run's StageEvents. GUI thread only.
class PipelineStages final
{
public:
    static constexpr int count = 4;

    // Every stage pending; the run's clock starts.
    void reset();
    // A StageEvent: elapsedMs is on the stage's own clock, which starts at its Running event.
    void update(int stage, int state, qint64 elapsedMs);
    // The run ended: a stage the worker left running (it was stopped between events) ends as
    // the run did.
    void finish(bool cancelled);
    // [{name, state ("pending", "running", "done", "failed", "cancelled"), elapsedMs, started}];
    // a running stage's time moves with the clock.
    QVariantList values() const;

private:
    struct Stage
    {
        slipway::StageState state = slipway::StageState::Pending;
        qint64 startedAt = -1;     // ms since the run started, on this thread's clock
        qint64 eventStartedAt = 0; // the Running event's elapsedMs
        qint64 elapsedMs = 0;
    };
    Stage m_stages[count];
    QElapsedTimer m_clock;
};
