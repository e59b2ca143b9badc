#include "registry/pusher.h"

#include "events/event.h"
#include "oci/image.h"
#include "oci/mediatypes.h"
#include "registry/imagereference.h"
#include "registry/registryclient.h"
#include "util/sha256.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QSemaphore>
#include <QThreadPool>

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <vector>

namespace slipway {
namespace {

struct BlobRef
{
    QString digest;
    qint64 size = 0;
};

Result<QByteArray> readManifest(const BlobSource &blobs, const QString &digest)
{
    const QString path = blobs(digest);
    QFile file(path);
    if (path.isEmpty() || !file.open(QIODevice::ReadOnly))
        return Error::failed(QStringLiteral("cannot read manifest %1%2")
                                 .arg(digest, path.isEmpty() ? QString() : QStringLiteral(" at ") + path));
    const QByteArray bytes = file.readAll();
    if (Sha256::digestOf(bytes) != digest)
        return Error::failed(QStringLiteral("manifest %1 at %2 does not match its digest").arg(digest, path));
    return bytes;
}

// A manifest put by digest before the index that names it.
struct ManifestToPut
{
    QString digest;
    QString mediaType;
    QByteArray bytes;
};

// The media type a manifest or index declares; without one (it is optional in OCI), an index
// is told by its "manifests".
QString mediaTypeOf(const QJsonObject &manifest)
{
    const QString declared = manifest.value(QStringLiteral("mediaType")).toString();
    if (!declared.isEmpty())
        return declared;
    return manifest.contains(QStringLiteral("manifests")) ? oci::indexMediaType() : oci::manifestMediaType();
}

// Posts Uploading events for one blob, a few per second at most.
class ProgressThrottle
{
public:
    ProgressThrottle(EventSink &sink, const BlobRef &blob)
        : m_sink(sink)
        , m_blob(blob)
    {
        m_timer.start();
    }
    void operator()(qint64 bytesDone)
    {
        if (m_posted && m_timer.elapsed() < 250 && bytesDone < m_blob.size)
            return;
        m_posted = true;
        m_timer.restart();
        m_sink.post(BlobEvent{.digest = m_blob.digest,
                              .size = m_blob.size,
                              .bytesDone = bytesDone,
                              .state = BlobState::Uploading});
    }

private:
    EventSink &m_sink;
    const BlobRef &m_blob;
    QElapsedTimer m_timer;
    bool m_posted = false; // the first progress is posted at once
};

// What a push sends, read and checked before anything goes out.
struct PushPlan
{
    QByteArray manifestBytes;
    QString mediaType;
    // The image manifests whose blobs go up: the manifest itself, or each one an index names.
    QList<QJsonObject> images;
    // An index's manifests, put by digest before the index, which the registry may check.
    QList<ManifestToPut> children;
    // Each blob once, in manifest order, and where it is on disk.
    QList<BlobRef> blobs;
    QStringList paths;
};

// The manifests an index names, each once; every one must be an image manifest in `blobs`.
Status readIndexChildren(const BlobSource &blobs, const QString &indexDigest, const QJsonObject &index,
                         PushPlan &plan)
{
    const QJsonArray entries = index.value(QStringLiteral("manifests")).toArray();
    for (const QJsonValue &value : entries) {
        const QJsonObject entry = value.toObject();
        const QString digest = entry.value(QStringLiteral("digest")).toString();
        if (!isSha256Digest(digest))
            return Error::failed(
                QStringLiteral("index %1 names an invalid manifest digest %2").arg(indexDigest, digest));
        const QString entryType = entry.value(QStringLiteral("mediaType")).toString();
        if (!oci::isManifestMediaType(entryType))
            return Error::failed(
                QStringLiteral("cannot push %1: its manifest %2 has type %3, not supported yet")
                    .arg(indexDigest, digest, entryType));
        if (std::any_of(plan.children.cbegin(), plan.children.cend(),
                        [&digest](const ManifestToPut &known) { return known.digest == digest; }))
            continue;
        auto bytes = readManifest(blobs, digest);
        if (!bytes)
            return Error::failed(
                QStringLiteral("cannot push index %1: %2").arg(indexDigest, bytes.error().message));
        const QJsonObject child = QJsonDocument::fromJson(bytes.value()).object();
        if (!oci::isManifestMediaType(mediaTypeOf(child)))
            return Error::failed(QStringLiteral("cannot push %1: its manifest %2 has type %3, "
                                                "not supported yet")
                                     .arg(indexDigest, digest, mediaTypeOf(child)));
        plan.images.append(child);
        plan.children.append(
            ManifestToPut{.digest = digest, .mediaType = mediaTypeOf(child), .bytes = bytes.value()});
    }
    if (plan.children.isEmpty())
        return Error::failed(QStringLiteral("cannot push index %1: it names no manifest").arg(indexDigest));
    return success();
}

// Each blob once, in manifest order: an image may use one layer twice, and the platforms of
// an index often share layers. Every digest is checked before anything is sent.
Status collectBlobs(const QString &manifestDigest, PushPlan &plan)
{
    const auto add = [&plan](const QJsonObject &descriptor) {
        const BlobRef blob{descriptor.value(QStringLiteral("digest")).toString(),
                           descriptor.value(QStringLiteral("size")).toInteger()};
        for (const BlobRef &known : std::as_const(plan.blobs))
            if (known.digest == blob.digest)
                return;
        plan.blobs.append(blob);
    };
    const qsizetype imageCount = plan.images.size();
    for (qsizetype i = 0; i < imageCount; ++i) {
        const QJsonObject &image = plan.images.at(i);
        const QString imageDigest = plan.children.isEmpty() ? manifestDigest : plan.children.at(i).digest;
        QList<QJsonObject> descriptors{image.value(QStringLiteral("config")).toObject()};
        const QJsonArray layers = image.value(QStringLiteral("layers")).toArray();
        for (const QJsonValue &layer : layers)
            descriptors.append(layer.toObject());
        for (const QJsonObject &descriptor : std::as_const(descriptors)) {
            const QString digest = descriptor.value(QStringLiteral("digest")).toString();
            if (!isSha256Digest(digest))
                return Error::failed(
                    QStringLiteral("manifest %1 names an invalid blob digest %2").arg(imageDigest, digest));
            add(descriptor);
        }
    }
    return success();
}

// Reads and checks the manifest (or index and its manifests) and lists the blobs to push.
Result<PushPlan> planPush(const BlobSource &blobs, const QString &manifestDigest)
{
    PushPlan plan;
    auto manifestBytes = readManifest(blobs, manifestDigest);
    if (!manifestBytes)
        return manifestBytes.error();
    plan.manifestBytes = manifestBytes.value();
    const QJsonObject manifest = QJsonDocument::fromJson(plan.manifestBytes).object();
    plan.mediaType = mediaTypeOf(manifest);
    if (oci::isIndexMediaType(plan.mediaType)) {
        if (Status read = readIndexChildren(blobs, manifestDigest, manifest, plan); !read)
            return read.error();
    } else if (oci::isManifestMediaType(plan.mediaType)) {
        plan.images.append(manifest);
    } else {
        return Error::failed(QStringLiteral("cannot push %1: manifest type %2 is not supported yet")
                                 .arg(manifestDigest, plan.mediaType));
    }
    if (Status collected = collectBlobs(manifestDigest, plan); !collected)
        return collected.error();
    for (const BlobRef &blob : std::as_const(plan.blobs))
        plan.paths.append(blobs(blob.digest));
    return plan;
}

// Pushes a plan's blobs: the first on the caller's client, the rest on clones of it, at most
// options.parallel at once on options.pool (or a pool of its own). The workers stop when the
// caller asks, or when one of them failed: the first error is the one reported, not the
// cancellations it caused.
class BlobPush final
{
public:
    BlobPush(const PushPlan &plan, const ImageReference &destination, const PushOptions &options,
             EventSink &sink, std::stop_token stop)
        : m_plan(plan)
        , m_destination(destination)
        , m_target(destination.registry + u'/' + destination.repository)
        , m_options(options)
        , m_sink(sink)
        , m_stop(std::move(stop))
        , m_forward(m_stop, [this] { m_cancelAll.request_stop(); })
        , m_done(plan.blobs.size())
    {}

    // In manifest order, or the first error.
    Result<QList<PushedBlob>> run(RegistryClient &client);

private:
    Result<PushedBlob> pushBlob(RegistryClient &worker, qsizetype index);
    void pushOne(RegistryClient &worker, qsizetype index);
    void work(RegistryClient &worker);
    void runWorkers(RegistryClient &client, qsizetype workers);

    const PushPlan &m_plan;
    const ImageReference &m_destination;
    const QString m_target; // "registry/repository", for messages
    const PushOptions &m_options;
    EventSink &m_sink;
    std::stop_token m_stop;
    std::stop_source m_cancelAll;
    const std::stop_callback<std::function<void()>> m_forward;
    QMutex m_mutex;
    std::optional<Error> m_firstError;
    QList<std::optional<PushedBlob>> m_done;
    std::atomic<qsizetype> m_next = 0;
};

// One blob, on a worker's own client: skip what the registry has, mount what another
// repository has, upload the rest.
Result<PushedBlob> BlobPush::pushBlob(RegistryClient &worker, qsizetype index)
{
    const BlobRef &blob = m_plan.blobs.at(index);
    PushedBlob pushed;
    pushed.digest = blob.digest;
    pushed.size = blob.size;
    auto exists = worker.blobExists(m_destination.repository, blob.digest);
    if (!exists)
        return exists.error();
    if (exists.value()) {
        pushed.action = QStringLiteral("skipped");
        return pushed;
    }
    QString location;
    const QString from = m_options.mountFrom.value(blob.digest);
    if (!from.isEmpty() && from != m_destination.repository) {
        auto mounted = worker.mountBlob(m_destination.repository, blob.digest, from, &location);
        if (!mounted)
            return mounted.error();
        if (mounted.value()) {
            pushed.action = QStringLiteral("mounted");
            return pushed;
        }
    }
    const QString &path = m_plan.paths.at(index);
    const QFileInfo info(path);
    if (path.isEmpty() || !info.isFile())
        return Error::failed(
            QStringLiteral("cannot push to %1: blob %2 is missing locally").arg(m_target, blob.digest));
    if (info.size() != blob.size)
        return Error::failed(QStringLiteral("cannot push to %1: blob %2 at %3 has %4 bytes, "
                                            "the manifest says %5")
                                 .arg(m_target, blob.digest, path)
                                 .arg(info.size())
                                 .arg(blob.size));
    m_sink.post(
        BlobEvent{.digest = blob.digest, .size = blob.size, .bytesDone = 0, .state = BlobState::Uploading});
    ProgressThrottle throttle(m_sink, blob);
    auto uploaded = worker.uploadBlob(m_destination.repository, blob.digest, blob.size, path,
                                      std::ref(throttle), location);
    if (!uploaded)
        return uploaded.error();
    pushed.action = QStringLiteral("uploaded");
    pushed.resumedAt = uploaded.value();
    return pushed;
}

void BlobPush::pushOne(RegistryClient &worker, qsizetype index)
{
    const BlobRef &blob = m_plan.blobs.at(index);
    auto pushed = pushBlob(worker, index);
    if (!pushed) {
        m_sink.post(
            BlobEvent{.digest = blob.digest, .size = blob.size, .bytesDone = 0, .state = BlobState::Failed});
        const QMutexLocker lock(&m_mutex);
        if (!m_firstError && !(pushed.error().kind == Error::Kind::Cancelled && !m_stop.stop_requested() &&
                               m_cancelAll.stop_requested()))
            m_firstError = pushed.error();
        m_cancelAll.request_stop();
        return;
    }
    const BlobState state = pushed->action == u"skipped"   ? BlobState::Skipped
                            : pushed->action == u"mounted" ? BlobState::Mounted
                                                           : BlobState::Uploaded;
    m_sink.post(BlobEvent{.digest = blob.digest, .size = blob.size, .bytesDone = blob.size, .state = state});
    QString line = QStringLiteral("%1 %2 (%3 bytes").arg(pushed->action, pushed->digest).arg(pushed->size);
    if (pushed->resumedAt > 0)
        line += QStringLiteral("; resumed at byte %1, where an earlier push left it").arg(pushed->resumedAt);
    m_sink.log(LogLevel::Info, QStringLiteral("push"), line + u')');
    const QMutexLocker lock(&m_mutex);
    m_done[index] = pushed.value();
}

void BlobPush::work(RegistryClient &worker)
{
    worker.setStopToken(m_cancelAll.get_token());
    for (qsizetype index = m_next++; index < m_plan.blobs.size() && !m_cancelAll.stop_requested();
         index = m_next++)
        pushOne(worker, index);
}

// Each worker on a clone of client, on a free thread of the pool; when the pool has fewer
// free threads than workers, the calling thread works too (on client), so that a push on a
// busy pool, or on a thread of that pool, goes on instead of waiting for a thread.
void BlobPush::runWorkers(RegistryClient &client, qsizetype workers)
{
    std::optional<QThreadPool> ownPool;
    QThreadPool *pool = m_options.pool;
    if (!pool) {
        pool = &ownPool.emplace();
        pool->setMaxThreadCount(int(workers));
    }
    std::vector<std::unique_ptr<RegistryClient>> clients;
    QSemaphore finished;
    int started = 0;
    for (qsizetype i = 0; i < workers && !m_cancelAll.stop_requested(); ++i) {
        clients.push_back(client.clone());
        RegistryClient *worker = clients.back().get();
        if (!pool->tryStart([this, worker, &finished] {
                work(*worker);
                finished.release();
            }))
            break;
        ++started;
    }
    if (started < workers)
        work(client);
    finished.acquire(started);
}

Result<QList<PushedBlob>> BlobPush::run(RegistryClient &client)
{
    // The first blob goes alone on the caller's client: it settles the scheme and the token the
    // workers' clients then share.
    if (!m_plan.blobs.isEmpty()) {
        client.setStopToken(m_cancelAll.get_token());
        pushOne(client, 0);
        m_next = 1;
        const qsizetype workers = qMin<qsizetype>(qMax(m_options.parallel, 1), m_plan.blobs.size() - 1);
        if (workers > 0)
            runWorkers(client, workers);
        client.setStopToken(m_stop);
    }
    // A cancel wins over what failed beside it (a connection cut while the user cancelled).
    if (m_stop.stop_requested())
        return Error::cancelled(QStringLiteral("push to %1 cancelled").arg(m_target));
    if (m_firstError)
        return m_firstError.value();
    QList<PushedBlob> blobs;
    for (const auto &pushed : std::as_const(m_done))
        blobs.append(pushed.value());
    return blobs;
}

// An index's manifests by digest first (the registry may refuse an index naming a manifest
// it does not have), then the manifest or index by tag, or by digest without one.
Status putManifests(const PushPlan &plan, const QString &manifestDigest, const ImageReference &destination,
                    RegistryClient &client, EventSink &sink, const std::stop_token &stop)
{
    const QString target = destination.registry + u'/' + destination.repository;
    for (const ManifestToPut &child : std::as_const(plan.children)) {
        if (stop.stop_requested())
            return Error::cancelled(QStringLiteral("push to %1 cancelled").arg(target));
        auto childPut =
            client.putManifest(destination.repository, child.digest, child.mediaType, child.bytes);
        if (!childPut)
            return childPut.error();
        sink.log(LogLevel::Info, QStringLiteral("push"),
                 QStringLiteral("pushed manifest %1 (%2 bytes)").arg(child.digest).arg(child.bytes.size()));
    }
    const QString reference = destination.tag.isEmpty() ? manifestDigest : destination.tag;
    auto put = client.putManifest(destination.repository, reference, plan.mediaType, plan.manifestBytes);
    if (!put)
        return put.error();
    return success();
}

} // namespace

Result<PushResult> pushImage(const BlobSource &blobs, const QString &manifestDigest,
                             const ImageReference &destination, RegistryClient &client, EventSink *events,
                             std::stop_token stop, const PushOptions &options)
{
    NullEventSink nullSink;
    EventSink &sink = events ? *events : nullSink;
    QElapsedTimer timer;
    timer.start();
    const auto failWith = [&](const Error &error) -> Result<PushResult> {
        const StageState state =
            error.kind == Error::Kind::Cancelled ? StageState::Cancelled : StageState::Failed;
        sink.post(StageEvent{.stage = Stage::Push, .state = state, .elapsedMs = timer.elapsed()});
        return error;
    };
    sink.post(StageEvent{.stage = Stage::Push, .state = StageState::Running, .elapsedMs = 0});
    client.setStopToken(stop);

    if (!destination.digest.isEmpty() && destination.digest != manifestDigest)
        return failWith(Error::badInput(QStringLiteral("cannot push %1 as %2: its digest is %1")
                                            .arg(manifestDigest, destination.toString())));
    auto plan = planPush(blobs, manifestDigest);
    if (!plan)
        return failWith(plan.error());
    for (const BlobRef &blob : std::as_const(plan->blobs))
        sink.post(
            BlobEvent{.digest = blob.digest, .size = blob.size, .bytesDone = 0, .state = BlobState::Queued});

    PushResult result;
    auto pushed = BlobPush(plan.value(), destination, options, sink, stop).run(client);
    if (!pushed)
        return failWith(pushed.error());
    result.blobs = std::move(pushed).value();
    if (Status put = putManifests(plan.value(), manifestDigest, destination, client, sink, stop); !put)
        return failWith(put.error());

    const QString target = destination.registry + u'/' + destination.repository;
    result.digest = manifestDigest;
    result.reference =
        destination.tag.isEmpty() ? target + u'@' + manifestDigest : target + u':' + destination.tag;
    sink.log(LogLevel::Info, QStringLiteral("push"),
             QStringLiteral("pushed %1 (%2)").arg(result.reference, result.digest));
    sink.post(StageEvent{.stage = Stage::Push, .state = StageState::Done, .elapsedMs = timer.elapsed()});
    return result;
}

} // namespace slipway
