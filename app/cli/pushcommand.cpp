// slipway-cli push --oci-layout DIR[:TAG] REF, and the push step of build --push.

#include "commands.h"
#include "output.h"

#include "events/event.h"
#include "oci/layoutreader.h"
#include "oci/ocilayout.h"
#include "registry/credentials.h"
#include "registry/imagereference.h"
#include "registry/pusher.h"
#include "registry/registryaccess.h"
#include "registry/registryclient.h"
#include "util/paths.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QTextStream>

#include <optional>

#include <unistd.h>

namespace slipway::cli {

namespace {

// One line on a terminal's stderr, redrawn as blobs go up: "pushing  2/5 blobs  3.1 MB / 40 MB".
// Cleared when the push ends; the summary on stdout lists each blob.
class PushProgressLine final : public EventSink
{
public:
    explicit PushProgressLine(QTextStream &err)
        : m_err(err)
    {
        m_timer.start();
    }
    ~PushProgressLine() override
    {
        const QMutexLocker lock(&m_mutex);
        if (m_drawn)
            m_err << "\r\x1b[K" << Qt::flush;
    }

    void post(Event event) override
    {
        const auto *blob = std::get_if<BlobEvent>(&event);
        if (!blob)
            return;
        const QMutexLocker lock(&m_mutex);
        Progress &progress = m_blobs[blob->digest];
        progress.size = blob->size;
        progress.done = blob->bytesDone;
        const bool finished = blob->state == BlobState::Skipped || blob->state == BlobState::Mounted ||
                              blob->state == BlobState::Uploaded;
        if (finished)
            progress.done = blob->size;
        progress.finished = finished;
        if (blob->state == BlobState::Queued)
            return; // all are queued before the first starts: the count is known then
        // A few redraws a second at most, and one for each finished blob.
        if (!finished && m_drawn && m_timer.elapsed() < 200)
            return;
        m_timer.restart();
        qint64 total = 0;
        qint64 done = 0;
        qsizetype finishedBlobs = 0;
        for (const Progress &each : std::as_const(m_blobs)) {
            total += each.size;
            done += each.done;
            finishedBlobs += each.finished ? 1 : 0;
        }
        m_err << "\rpushing  " << finishedBlobs << '/' << m_blobs.size() << " blobs  " << humanSize(done)
              << " / " << humanSize(total) << "\x1b[K" << Qt::flush;
        m_drawn = true;
    }

private:
    struct Progress
    {
        qint64 size = 0;
        qint64 done = 0;
        bool finished = false;
    };
    QMutex m_mutex;
    QTextStream &m_err;
    QHash<QString, Progress> m_blobs;
    QElapsedTimer m_timer;
    bool m_drawn = false;
};

} // namespace

QJsonObject pushJson(const PushResult &pushed)
{
    QJsonArray blobs;
    for (const PushedBlob &blob : pushed.blobs) {
        QJsonObject json{{QStringLiteral("digest"), blob.digest},
                         {QStringLiteral("size"), blob.size},
                         {QStringLiteral("action"), blob.action}};
        if (blob.resumedAt > 0)
            json.insert(QStringLiteral("resumedAt"), blob.resumedAt);
        blobs.append(json);
    }
    return QJsonObject{{QStringLiteral("pushed"), pushed.reference},
                       {QStringLiteral("digest"), pushed.digest},
                       {QStringLiteral("blobs"), blobs}};
}

void printPush(QTextStream &out, const PushResult &pushed)
{
    for (const PushedBlob &blob : pushed.blobs) {
        out << blob.action.leftJustified(9) << humanSize(blob.size).rightJustified(10) << "  " << blob.digest;
        if (blob.resumedAt > 0)
            out << "  (resumed at " << humanSize(blob.resumedAt) << ", where an earlier push left it)";
        out << '\n';
    }
    out << "pushed    " << pushed.reference << '\n';
    out << "digest    " << pushed.digest << Qt::endl;
}

int runPush(const Invocation &invocation, CommandContext &context)
{
    const QString command = invocation.command;
    auto layout = oci::LayoutReference::parse(invocation.value(QStringLiteral("oci-layout")));
    if (!layout)
        return reportError(context.err, command, layout.error());
    auto image = oci::resolveLayout(layout.value());
    if (!image)
        return reportError(context.err, command, image.error());
    const QString directory = image->directory;
    NullEventSink quiet;
    std::optional<PushProgressLine> progress;
    if (!invocation.json && isatty(STDERR_FILENO))
        progress.emplace(context.err);
    auto pushed =
        pushToRegistry([directory](const QString &digest) { return oci::layoutBlobPath(directory, digest); },
                       image->manifestDigest, invocation.arguments.constFirst(), invocation.dataDir,
                       progress ? static_cast<EventSink *>(&*progress) : &quiet, context.stop);
    progress.reset(); // clears the line before the result or the error is printed
    if (!pushed)
        return reportError(context.err, command, pushed.error());
    if (invocation.json)
        context.out << QJsonDocument(pushJson(pushed.value())).toJson(QJsonDocument::Compact) << Qt::endl;
    else
        printPush(context.out, pushed.value());
    return 0;
}

} // namespace slipway::cli
