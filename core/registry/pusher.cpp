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

#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>
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

} // namespace

Result<PushResult> pushImage(const BlobSource &blobs, const QString &manifestDigest,
                             const ImageReference &destination, RegistryClient &client, EventSink *events,
                             std::stop_token stop, const PushOptions &options)
{
    NullEventSink nullSink;
    EventSink &sink = events ? *events : nullSink;
    QElapsedTimer timer;
    timer.start();
    const auto finish = [&](StageState state) {
        sink.post(StageEvent{.stage = Stage::Push, .state = state, .elapsedMs = timer.elapsed()});
    };
    const QString target = destination.registry + u'/' + destination.repository;
    const auto failWith = [&](Error error) -> Result<PushResult> {
        finish(error.kind == Error::Kind::Cancelled ? StageState::Cancelled : StageState::Failed);
        return error;
    };
    sink.post(StageEvent{.stage = Stage::Push, .state = StageState::Running, .elapsedMs = 0});
    client.setStopToken(stop);

    if (!destination.digest.isEmpty() && destination.digest != manifestDigest)
        return failWith(Error::badInput(QStringLiteral("cannot push %1 as %2: its digest is %1")
                                            .arg(manifestDigest, destination.toString())));
    auto manifestBytes = readManifest(blobs, manifestDigest);
    if (!manifestBytes)
        return failWith(manifestBytes.error());
    const QJsonObject manifest = QJsonDocument::fromJson(manifestBytes.value()).object();
    const QString mediaType = mediaTypeOf(manifest);

    // The image manifests whose blobs go up: the manifest itself, or each one an index names
    // (put by digest before the index, which the registry may check).
    QList<QJsonObject> images;
    QList<ManifestToPut> children;
    if (oci::isIndexMediaType(mediaType)) {
        const QJsonArray entries = manifest.value(QStringLiteral("manifests")).toArray();
        for (const QJsonValue &value : entries) {
            const QJsonObject entry = value.toObject();
            const QString digest = entry.value(QStringLiteral("digest")).toString();
            if (!isSha256Digest(digest))
                return failWith(Error::failed(QStringLiteral("index %1 names an invalid manifest digest %2")
                                                  .arg(manifestDigest, digest)));
            const QString entryType = entry.value(QStringLiteral("mediaType")).toString();
            if (!oci::isManifestMediaType(entryType))
                return failWith(Error::failed(
                    QStringLiteral("cannot push %1: its manifest %2 has type %3, not supported yet")
                        .arg(manifestDigest, digest, entryType)));
            if (std::any_of(children.cbegin(), children.cend(),
                            [&digest](const ManifestToPut &known) { return known.digest == digest; }))
                continue;
            auto bytes = readManifest(blobs, digest);
            if (!bytes)
                return failWith(Error::failed(
                    QStringLiteral("cannot push index %1: %2").arg(manifestDigest, bytes.error().message)));
            const QJsonObject child = QJsonDocument::fromJson(bytes.value()).object();
            if (!oci::isManifestMediaType(mediaTypeOf(child)))
                return failWith(Error::failed(QStringLiteral("cannot push %1: its manifest %2 has type %3, "
                                                             "not supported yet")
                                                  .arg(manifestDigest, digest, mediaTypeOf(child))));
            images.append(child);
            children.append(
                ManifestToPut{.digest = digest, .mediaType = mediaTypeOf(child), .bytes = bytes.value()});
        }
        if (children.isEmpty())
            return failWith(Error::failed(
                QStringLiteral("cannot push index %1: it names no manifest").arg(manifestDigest)));
    } else if (oci::isManifestMediaType(mediaType)) {
        images.append(manifest);
    } else {
        return failWith(Error::failed(QStringLiteral("cannot push %1: manifest type %2 is not supported yet")
                                          .arg(manifestDigest, mediaType)));
    }

    // Each blob once, in manifest order: an image may use one layer twice, and the platforms of
    // an index often share layers.
    QList<BlobRef> references;
    const auto add = [&references](const QJsonObject &descriptor) {
        const BlobRef blob{descriptor.value(QStringLiteral("digest")).toString(),
                           descriptor.value(QStringLiteral("size")).toInteger()};
        for (const BlobRef &known : std::as_const(references))
            if (known.digest == blob.digest)
                return;
        references.append(blob);
    };
    const qsizetype imageCount = images.size();
    for (qsizetype i = 0; i < imageCount; ++i) {
        const QJsonObject &image = images.at(i);
        const QString imageDigest = children.isEmpty() ? manifestDigest : children.at(i).digest;
        QList<QJsonObject> descriptors{image.value(QStringLiteral("config")).toObject()};
        const QJsonArray layers = image.value(QStringLiteral("layers")).toArray();
        for (const QJsonValue &layer : layers)
            descriptors.append(layer.toObject());
        // Everything that can be checked without the registry is checked before anything is sent.
        for (const QJsonObject &descriptor : std::as_const(descriptors)) {
            const QString digest = descriptor.value(QStringLiteral("digest")).toString();
            if (!isSha256Digest(digest))
                return failWith(Error::failed(
                    QStringLiteral("manifest %1 names an invalid blob digest %2").arg(imageDigest, digest)));
            add(descriptor);
        }
    }

    QStringList paths;
    for (const BlobRef &blob : std::as_const(references)) {
        paths.append(blobs(blob.digest));
        sink.post(
            BlobEvent{.digest = blob.digest, .size = blob.size, .bytesDone = 0, .state = BlobState::Queued});
    }

    // One blob, on a worker's own client: skip what the registry has, mount what another
    // repository has, upload the rest.
    const auto pushBlob = [&](RegistryClient &worker, qsizetype index) -> Result<PushedBlob> {
        const BlobRef &blob = references.at(index);
        PushedBlob pushed;
        pushed.digest = blob.digest;
        pushed.size = blob.size;
        auto exists = worker.blobExists(destination.repository, blob.digest);
        if (!exists)
            return exists.error();
        if (exists.value()) {
            pushed.action = QStringLiteral("skipped");
            return pushed;
        }
        QString location;
        const QString from = options.mountFrom.value(blob.digest);
        if (!from.isEmpty() && from != destination.repository) {
            auto mounted = worker.mountBlob(destination.repository, blob.digest, from, &location);
            if (!mounted)
                return mounted.error();
            if (mounted.value()) {
                pushed.action = QStringLiteral("mounted");
                return pushed;
            }
        }
        const QString &path = paths.at(index);
        const QFileInfo info(path);
        if (path.isEmpty() || !info.isFile())
            return Error::failed(
                QStringLiteral("cannot push to %1: blob %2 is missing locally").arg(target, blob.digest));
        if (info.size() != blob.size)
            return Error::failed(QStringLiteral("cannot push to %1: blob %2 at %3 has %4 bytes, "
                                                "the manifest says %5")
                                     .arg(target, blob.digest, path)
                                     .arg(info.size())
                                     .arg(blob.size));
        sink.post(BlobEvent{
            .digest = blob.digest, .size = blob.size, .bytesDone = 0, .state = BlobState::Uploading});
        ProgressThrottle throttle(sink, blob);
        if (Status uploaded = worker.uploadBlob(destination.repository, blob.digest, blob.size, path,
                                                std::ref(throttle), location);
            !uploaded)
            return uploaded.error();
        pushed.action = QStringLiteral("uploaded");
        return pushed;
    };

    // The workers stop when the caller asks, or when one of them failed: the first error is the
    // one reported, not the cancellations it caused.
    std::stop_source cancelAll;
    const std::stop_callback forward(stop, [&cancelAll] { cancelAll.request_stop(); });
    QMutex mutex;
    std::optional<Error> firstError;
    QList<std::optional<PushedBlob>> done(references.size());
    std::atomic<qsizetype> next = 0;
    const auto pushOne = [&](RegistryClient &worker, qsizetype index) {
        const BlobRef &blob = references.at(index);
        auto pushed = pushBlob(worker, index);
        if (!pushed) {
            sink.post(BlobEvent{
                .digest = blob.digest, .size = blob.size, .bytesDone = 0, .state = BlobState::Failed});
            const QMutexLocker lock(&mutex);
            if (!firstError && !(pushed.error().kind == Error::Kind::Cancelled && !stop.stop_requested() &&
                                 cancelAll.stop_requested()))
                firstError = pushed.error();
            cancelAll.request_stop();
            return;
        }
        const BlobState state = pushed->action == u"skipped"   ? BlobState::Skipped
                                : pushed->action == u"mounted" ? BlobState::Mounted
                                                               : BlobState::Uploaded;
        sink.post(
            BlobEvent{.digest = blob.digest, .size = blob.size, .bytesDone = blob.size, .state = state});
        sink.log(LogLevel::Info, QStringLiteral("push"),
                 QStringLiteral("%1 %2 (%3 bytes)").arg(pushed->action, pushed->digest).arg(pushed->size));
        const QMutexLocker lock(&mutex);
        done[index] = pushed.value();
    };
    const auto work = [&](RegistryClient &worker) {
        worker.setStopToken(cancelAll.get_token());
        for (qsizetype index = next++; index < references.size() && !cancelAll.stop_requested();
             index = next++)
            pushOne(worker, index);
    };

    // The first blob goes alone on the caller's client: it settles the scheme and the token the
    // workers' clients then share.
    if (!references.isEmpty()) {
        client.setStopToken(cancelAll.get_token());
        pushOne(client, 0);
        next = 1;
        const qsizetype workers = qMin<qsizetype>(qMax(options.parallel, 1), references.size() - 1);
        std::vector<std::unique_ptr<RegistryClient>> clients;
        std::vector<std::jthread> threads;
        for (qsizetype i = 0; i < workers && !cancelAll.stop_requested(); ++i) {
            clients.push_back(client.clone());
            threads.emplace_back([&work, worker = clients.back().get()] { work(*worker); });
        }
        threads.clear(); // joins
        client.setStopToken(stop);
    }
    if (firstError)
        return failWith(firstError.value());
    if (stop.stop_requested())
        return failWith(Error::cancelled(QStringLiteral("push to %1 cancelled").arg(target)));

    PushResult result;
    for (const auto &pushed : std::as_const(done))
        result.blobs.append(pushed.value());

    // An index's manifests by digest first: the registry may refuse an index naming a manifest
    // it does not have.
    for (const ManifestToPut &child : std::as_const(children)) {
        if (stop.stop_requested())
            return failWith(Error::cancelled(QStringLiteral("push to %1 cancelled").arg(target)));
        auto childPut =
            client.putManifest(destination.repository, child.digest, child.mediaType, child.bytes);
        if (!childPut)
            return failWith(childPut.error());
        sink.log(LogLevel::Info, QStringLiteral("push"),
                 QStringLiteral("pushed manifest %1 (%2 bytes)").arg(child.digest).arg(child.bytes.size()));
    }

    const QString reference = destination.tag.isEmpty() ? manifestDigest : destination.tag;
    auto put = client.putManifest(destination.repository, reference, mediaType, manifestBytes.value());
    if (!put)
        return failWith(put.error());

    result.digest = manifestDigest;
    result.reference =
        destination.tag.isEmpty() ? target + u'@' + manifestDigest : target + u':' + destination.tag;
    sink.log(LogLevel::Info, QStringLiteral("push"),
             QStringLiteral("pushed %1 (%2)").arg(result.reference, result.digest));
    finish(StageState::Done);
    return result;
}

} // namespace slipway
