#pragma once

#include "events/event.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <chrono>
#include <memory>

class LayerModel;
class LogModel;

// Carries the event stream to the window. Workers post to queue() from any thread; on the GUI
// thread a timer drains it about 30 times a second and hands each tick's log lines to the log
// model and layer events to the layer model as one batch each, so a flood of lines costs the
// window one insertion per tick. The models are only ever touched on this object's thread.
//
// A backlog (the GUI thread was starved, or a worker bursts) is dispatched in slices: after
// sliceBudget the rest waits for the next event-loop turn, so the window draws in between and no
// event is dropped or reordered. What the producers allocated is freed on a thread of the pump's
// own, never on the GUI thread (see Disposer in the .cpp).
class EventPump final : public QObject
{
    Q_OBJECT

public:
    static constexpr std::chrono::milliseconds DefaultInterval{33};
    static constexpr std::chrono::microseconds DefaultSliceBudget{4000};
    // Events per batch: the most one look at the clock lets through.
    static constexpr int MaxBatchEvents = 8192;

    // Pumps a queue of its own.
    explicit EventPump(QObject *parent = nullptr);
    // Pumps the given queue, which must outlive the pump.
    explicit EventPump(slipway::EventQueue *queue, QObject *parent = nullptr);
    ~EventPump() override;

    slipway::EventQueue *queue() const { return m_queue; }

    void setLogModel(LogModel *model) { m_logModel = model; }
    LogModel *logModel() const { return m_logModel; }
    void setLayerModel(LayerModel *model) { m_layerModel = model; }
    LayerModel *layerModel() const { return m_layerModel; }

    // The timer runs from construction; stop() and start() pause and resume it and the
    // dispatch of a backlog. (A pump() that leaves a backlog schedules its rest even while
    // stopped: stop() after it to hold it.)
    void start();
    void stop();
    bool isActive() const { return m_timer.isActive(); }
    void setInterval(std::chrono::milliseconds interval) { m_timer.setInterval(interval); }

    // How long one pump() dispatches before it leaves the rest for the next event-loop turn; at
    // least one batch (MaxBatchEvents) goes each time, so 0 means one batch per call.
    void setSliceBudget(std::chrono::microseconds budget) { m_sliceBudget = budget; }
    std::chrono::microseconds sliceBudget() const { return m_sliceBudget; }
    // Events drained from the queue but not dispatched yet.
    qsizetype pending() const { return m_pending.size() - m_next; }

public Q_SLOTS:
    // Drains the queue now and dispatches, oldest first, what is pending for up to sliceBudget;
    // returns the number of events dispatched. It never waits for a worker that is posting:
    // what that worker adds goes on the next turn.
    int pump();
    // Drains the queue (waiting for a posting worker) and dispatches everything pending: when a
    // run has ended and its last events must be in the models before its result.
    int flush();

Q_SIGNALS:
    void stageChanged(int stage, int state, qint64 elapsedMs); // slipway::Stage, slipway::StageState
    // The last fetch progress of each source in a tick.
    void fetchProgress(const QString &source, qint64 receivedObjects, qint64 totalObjects,
                       qint64 receivedBytes);
    // The last state of each blob of a push in a tick (state: slipway::BlobState).
    void blobProgress(const QString &digest, int state, qint64 bytesDone, qint64 size);
    // Every target status change, in order (state: slipway::TargetState).
    void targetChanged(const QString &target, int state, const QString &detail);
    // After a target's Healthy state: how much of a registry-less image it was sent, of how much.
    void imageTransferred(const QString &target, qint64 sent, qint64 total);
    // A Swarm target's replicas as the rollout follows them: maps of slot, node, state, release
    // and error, by slot.
    void replicasChanged(const QString &target, const QVariantList &replicas);

private:
    class Disposer;

    int pumpFor(std::chrono::microseconds budget, bool waitForWorkers);

    // Dispatches m_pending[m_next, end) as one batch per model.
    void dispatch(qsizetype end);

    std::unique_ptr<slipway::EventQueue> m_ownQueue;
    slipway::EventQueue *m_queue = nullptr;
    QPointer<LogModel> m_logModel;
    QPointer<LayerModel> m_layerModel;
    QTimer m_timer;
    QTimer m_continue; // the rest of a backlog, in the next event-loop turn
    std::chrono::microseconds m_sliceBudget = DefaultSliceBudget;
    QList<slipway::Event> m_pending;
    qsizetype m_next = 0; // m_pending before it is dispatched (moved from)
    std::unique_ptr<Disposer> m_disposer;
};
