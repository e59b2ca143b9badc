#pragma once

#include "events/event.h"
#include "util/result.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMap>
#include <QMutex>
#include <QSet>
#include <QString>

class QTextStream;

namespace slipway::cli {

struct CommandContext;

// What build, push, deploy, rollback and repair print to stderr while they work: the fetch,
// the layers, the bytes pushed, and each target's step, from the pipeline's events.
//
// On a terminal, one status line is redrawn in place (a few times a second) under the lines
// that stay: "pushing  2/5 blobs  3.1 MB / 40 MB", "deploying  web: sending the image".
// Otherwise (a pipe, a CI log) the same milestones come as plain lines, without escape codes:
// a stage's start, each large layer built, the push's total, each target's step, warnings.
// Quiet prints nothing. The result itself goes to stdout, printed by the command.
class TerminalProgress final : public EventSink
{
public:
    enum class Mode
    {
        Redraw,
        Lines,
        Quiet
    };
    // Redraw when stderr is a terminal, else Lines; Quiet when quiet is true.
    static Mode modeFor(bool quiet);

    TerminalProgress(QTextStream &err, Mode mode);
    ~TerminalProgress() override; // clears the status line
    TerminalProgress(const TerminalProgress &) = delete;
    TerminalProgress &operator=(const TerminalProgress &) = delete;

    void post(Event event) override;
    // A line that stays (above the status line on a terminal), unless quiet.
    void line(const QString &text);
    // Clears the status line and draws no more: the result or an error comes next.
    void finish();
    // finish(), then reportError(): the exit status.
    int fail(CommandContext &context, const QString &command, const Error &error);
    // The last event of each layer, or of each step of a Dockerfile build, by index: kept in
    // every mode (quiet too), for what --json reports.
    QList<LayerEvent> layers() const;

private:
    struct Blob
    {
        qint64 size = 0;
        qint64 done = 0;
        bool finished = false;
    };
    void onLayer(const LayerEvent &layer);
    void onBlob(const BlobEvent &blob);
    void onTarget(const TargetEvent &target);
    void onStage(const StageEvent &stage);
    void printLine(const QString &text); // m_mutex held
    void redraw(bool force);             // m_mutex held
    QString status() const;

    mutable QMutex m_mutex;
    QTextStream &m_err;
    const Mode m_mode;
    QElapsedTimer m_sinceDraw;
    bool m_drawn = false;
    QString m_shown; // the status line as last drawn
    bool m_finished = false;
    Stage m_stage = Stage::Fetch;
    bool m_stageKnown = false;
    QString m_fetch;                    // "1,200/5,000 objects"
    QMap<int, LayerEvent> m_layers;     // by index
    QSet<int> m_stepsShown;             // Dockerfile steps whose end has a line
    QHash<QString, Blob> m_blobs;       // by digest
    QMap<QString, QString> m_targets;   // name -> what it is doing
    QMap<QString, QString> m_transfers; // name -> "1.2 MB / 40.0 MB" while the image goes there
    QMap<QString, QString> m_replicas;  // "name/slot" -> the line last printed of that replica
};

} // namespace slipway::cli
