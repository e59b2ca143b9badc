#include "progress.h"

#include "output.h"

#include <QTextStream>

#include <sys/ioctl.h>
#include <unistd.h>

namespace slipway::cli {
namespace {

// Redraws of the status line at most this often, besides those a milestone forces.
constexpr qint64 redrawIntervalMs = 200;
// Layers smaller than this get no line of their own: a spec of hundreds of small layers would
// flood the log.
constexpr qint64 layerLineBytes = 1000 * 1000;

QString stageName(Stage stage)
{
    switch (stage) {
    case Stage::Fetch:
        return QStringLiteral("fetching");
    case Stage::Build:
        return QStringLiteral("building");
    case Stage::Push:
        return QStringLiteral("pushing");
    case Stage::Deploy:
        return QStringLiteral("deploying");
    }
    return {};
}

QString targetStep(const TargetEvent &target)
{
    switch (target.state) {
    case TargetState::Pending:
        return QStringLiteral("pending");
    case TargetState::Pulling:
        return target.detail.isEmpty() ? QStringLiteral("pulling the image") : target.detail;
    case TargetState::Starting:
        return QStringLiteral("starting");
    case TargetState::WaitingHealthy:
        return QStringLiteral("waiting until healthy");
    case TargetState::Healthy:
        return QStringLiteral("healthy");
    case TargetState::Failed:
        return QStringLiteral("failed");
    case TargetState::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

} // namespace

TerminalProgress::Mode TerminalProgress::modeFor(bool quiet)
{
    if (quiet)
        return Mode::Quiet;
    return isatty(STDERR_FILENO) ? Mode::Redraw : Mode::Lines;
}

TerminalProgress::TerminalProgress(QTextStream &err, Mode mode)
    : m_err(err)
    , m_mode(mode)
{
    m_sinceDraw.start();
}

TerminalProgress::~TerminalProgress()
{
    finish();
}

void TerminalProgress::finish()
{
    const QMutexLocker lock(&m_mutex);
    if (m_drawn)
        m_err << "\r\x1b[K" << Qt::flush;
    m_drawn = false;
    m_finished = true;
}

int TerminalProgress::fail(CommandContext &context, const QString &command, const Error &error)
{
    finish();
    return reportError(context, command, error);
}

void TerminalProgress::line(const QString &text)
{
    const QMutexLocker lock(&m_mutex);
    printLine(text);
    redraw(true);
}

QList<LayerEvent> TerminalProgress::layers() const
{
    const QMutexLocker lock(&m_mutex);
    return m_layers.values();
}

void TerminalProgress::post(Event event)
{
    const QMutexLocker lock(&m_mutex);
    if (const auto *layer = std::get_if<LayerEvent>(&event))
        m_layers.insert(layer->index, *layer);
    if (m_mode == Mode::Quiet)
        return;
    if (const auto *log = std::get_if<LogEvent>(&event)) {
        // Warnings as they happen (waiting for another deploy's lock, an image sent whole);
        // errors come in the summary.
        if (log->level == LogLevel::Warning)
            printLine(log->target.isEmpty() ? log->text
                                            : QStringLiteral("  %1: %2").arg(log->target, log->text));
        redraw(true);
    } else if (const auto *fetch = std::get_if<FetchEvent>(&event)) {
        m_fetch = QStringLiteral("%1  %2/%3 objects  %4")
                      .arg(fetch->source)
                      .arg(fetch->receivedObjects)
                      .arg(fetch->totalObjects)
                      .arg(humanSize(fetch->receivedBytes));
        const bool done = fetch->totalObjects > 0 && fetch->receivedObjects == fetch->totalObjects;
        if (done)
            printLine(QStringLiteral("  fetched %1: %2 objects, %3")
                          .arg(fetch->source)
                          .arg(fetch->totalObjects)
                          .arg(humanSize(fetch->receivedBytes)));
        redraw(done);
    } else if (const auto *layer = std::get_if<LayerEvent>(&event)) {
        onLayer(*layer);
    } else if (const auto *stage = std::get_if<StageEvent>(&event)) {
        onStage(*stage);
    } else if (const auto *blob = std::get_if<BlobEvent>(&event)) {
        onBlob(*blob);
    } else if (const auto *target = std::get_if<TargetEvent>(&event)) {
        onTarget(*target);
    }
}

void TerminalProgress::onStage(const StageEvent &stage)
{
    if (stage.state != StageState::Running)
        return;
    m_stage = stage.stage;
    m_stageKnown = true;
    if (m_mode == Mode::Lines)
        printLine(stageName(stage.stage));
    redraw(true);
}

void TerminalProgress::onLayer(const LayerEvent &layer)
{
    if (!m_stageKnown) { // `build` posts no stages
        m_stage = Stage::Build;
        m_stageKnown = true;
    }
    const bool done = layer.state == LayerState::Done || layer.state == LayerState::Cached;
    // A Dockerfile step: a line when it ends, with its time.
    if (layer.step && (done || layer.state == LayerState::Failed) && !m_stepsShown.contains(layer.index)) {
        m_stepsShown.insert(layer.index);
        const QString state = layer.state == LayerState::Cached   ? QStringLiteral("cached")
                              : layer.state == LayerState::Failed ? QStringLiteral("failed")
                                                                  : QStringLiteral("done  ");
        printLine(
            QStringLiteral("  %1 %2  %3 s").arg(state, layer.name).arg(layer.elapsedMs / 1000.0, 0, 'f', 1));
    }
    if (done && layer.bytesIn >= layerLineBytes)
        printLine(
            QStringLiteral("  %1 %2  %3 files, %4 -> %5")
                .arg(layer.state == LayerState::Cached ? QStringLiteral("cached") : QStringLiteral("built "),
                     layer.name)
                .arg(layer.files)
                .arg(humanSize(layer.bytesIn), humanSize(layer.bytesOut)));
    redraw(done);
}

void TerminalProgress::onBlob(const BlobEvent &blob)
{
    if (!m_stageKnown || m_stage != Stage::Push) { // `push` posts no stages
        m_stage = Stage::Push;
        m_stageKnown = true;
    }
    Blob &progress = m_blobs[blob.digest];
    progress.size = blob.size;
    progress.done = blob.bytesDone;
    const bool finished = blob.state == BlobState::Skipped || blob.state == BlobState::Mounted ||
                          blob.state == BlobState::Uploaded;
    if (finished)
        progress.done = blob.size;
    progress.finished = finished;
    if (blob.state == BlobState::Queued)
        return; // all are queued before the first starts: the count is known then
    bool allFinished = true;
    qint64 sent = 0;
    for (const Blob &each : std::as_const(m_blobs)) {
        allFinished = allFinished && each.finished;
        sent += each.done;
    }
    if (finished && allFinished && m_mode == Mode::Lines)
        printLine(QStringLiteral("  pushed %1 blobs, %2").arg(m_blobs.size()).arg(humanSize(sent)));
    redraw(finished);
}

void TerminalProgress::onTarget(const TargetEvent &target)
{
    if (!m_stageKnown || m_stage != Stage::Deploy) {
        m_stage = Stage::Deploy;
        m_stageKnown = true;
    }
    // A Swarm service's replicas: a line for each that changed since it was last said.
    for (const ReplicaState &replica : target.replicas) {
        const QString key = target.target + u'/' + QString::number(replica.slot);
        const QString line =
            QStringLiteral("  %1: replica %2 on %3: %4, release %5%6")
                .arg(target.target)
                .arg(replica.slot)
                .arg(replica.node.isEmpty() ? QStringLiteral("no node yet") : replica.node, replica.state,
                     replica.release,
                     replica.error.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(replica.error));
        if (m_replicas.value(key) != line) {
            m_replicas.insert(key, line);
            printLine(line);
        }
    }
    const QString step = targetStep(target);
    if (target.state == TargetState::Pulling && target.imageBytesSent >= 0 && target.imageBytes > 0)
        m_transfers.insert(target.target, QStringLiteral("%1 / %2").arg(humanSize(target.imageBytesSent),
                                                                        humanSize(target.imageBytes)));
    else
        m_transfers.remove(target.target);
    if (m_targets.value(target.target) == step) {
        redraw(false); // the bytes sent so far: on the status line only
        return;
    }
    m_targets.insert(target.target, step);
    // Healthy and failed are in the summary on stdout.
    if (target.state != TargetState::Healthy && target.state != TargetState::Failed)
        printLine(QStringLiteral("  %1: %2").arg(target.target, step));
    redraw(true);
}

void TerminalProgress::printLine(const QString &text)
{
    if (m_mode == Mode::Quiet || m_finished)
        return;
    if (m_drawn) {
        m_err << "\r\x1b[K";
        m_drawn = false;
    }
    m_err << text << '\n' << Qt::flush;
}

QString TerminalProgress::status() const
{
    if (!m_stageKnown)
        return {};
    QString text = stageName(m_stage).leftJustified(10);
    switch (m_stage) {
    case Stage::Fetch:
        return text + m_fetch;
    case Stage::Build: {
        qsizetype done = 0;
        qint64 bytesIn = 0;
        for (const LayerEvent &layer : m_layers) {
            done += layer.state == LayerState::Done || layer.state == LayerState::Cached;
            bytesIn += layer.bytesIn;
        }
        return text +
               QStringLiteral("%1/%2 layers  %3").arg(done).arg(m_layers.size()).arg(humanSize(bytesIn));
    }
    case Stage::Push: {
        qint64 total = 0;
        qint64 sent = 0;
        qsizetype finished = 0;
        for (const Blob &blob : m_blobs) {
            total += blob.size;
            sent += blob.done;
            finished += blob.finished;
        }
        return text + QStringLiteral("%1/%2 blobs  %3 / %4")
                          .arg(finished)
                          .arg(m_blobs.size())
                          .arg(humanSize(sent), humanSize(total));
    }
    case Stage::Deploy: {
        QStringList targets;
        for (auto it = m_targets.cbegin(); it != m_targets.cend(); ++it) {
            const QString bytes = m_transfers.value(it.key());
            targets.append(it.key() + QStringLiteral(": ") + it.value() +
                           (bytes.isEmpty() ? QString() : u' ' + bytes));
        }
        return text + targets.join(QStringLiteral(", "));
    }
    }
    return text;
}

void TerminalProgress::redraw(bool force)
{
    if (m_mode != Mode::Redraw || m_finished ||
        (!force && m_drawn && m_sinceDraw.elapsed() < redrawIntervalMs))
        return;
    const QString text = status();
    if (text.isEmpty() || (m_drawn && text == m_shown))
        return;
    m_shown = text;
    m_sinceDraw.restart();
    // Never wider than the terminal: a wrapped line could not be redrawn in place.
    winsize size{};
    const qsizetype width =
        ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 1 ? size.ws_col - 1 : 79;
    m_err << '\r' << (text.size() > width ? text.left(width - 3) + QStringLiteral("...") : text) << "\x1b[K"
          << Qt::flush;
    m_drawn = true;
}

} // namespace slipway::cli
