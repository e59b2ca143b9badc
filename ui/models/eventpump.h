#pragma once

#include "events/event.h"

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
class EventPump final : public QObject
{
    Q_OBJECT

public:
    static constexpr std::chrono::milliseconds DefaultInterval{33};

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

    // The timer runs from construction; stop() and start() pause and resume it.
    void start();
    void stop();
    bool isActive() const { return m_timer.isActive(); }
    void setInterval(std::chrono::milliseconds interval) { m_timer.setInterval(interval); }

public Q_SLOTS:
    // Drains the queue now and dispatches what it held; returns the number of events.
    int pump();

Q_SIGNALS:
    void stageChanged(int stage, int state, qint64 elapsedMs); // slipway::Stage, slipway::StageState
    // The last fetch progress of each source in a tick.
    void fetchProgress(const QString &source, qint64 receivedObjects, qint64 totalObjects,
                       qint64 receivedBytes);
    // The last state of each blob of a push in a tick (state: slipway::BlobState).
    void blobProgress(const QString &digest, int state, qint64 bytesDone, qint64 size);
    // Every target status change, in order (state: slipway::TargetState).
    void targetChanged(const QString &target, int state, const QString &detail);

private:
    std::unique_ptr<slipway::EventQueue> m_ownQueue;
    slipway::EventQueue *m_queue = nullptr;
    QPointer<LogModel> m_logModel;
    QPointer<LayerModel> m_layerModel;
    QTimer m_timer;
};
