#include "registry/pusher.h"

#include "events/event.h"
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

} // namespace

Result<PushResult> pushImage(const BlobSource &blobs, const QString &manifestDigest,
                             const ImageReference &destination, RegistryClient &client, EventSink *events,
                             std::stop_token stop)
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
    const QString mediaType = manifest.value(QStringLiteral("mediaType")).toString(oci::manifestMediaType());
    if (mediaType != oci::manifestMediaType() &&
        mediaType != u"application/vnd.docker.distribution.manifest.v2+json")
        return failWith(Error::failed(QStringLiteral("cannot push %1: manifest type %2 is not supported yet")
                                          .arg(manifestDigest, mediaType)));

    QList<BlobRef> references;
    const auto add = [&references](const QJsonObject &descriptor) {
        references.append({descriptor.value(QStringLiteral("digest")).toString(),
                           descriptor.value(QStringLiteral("size")).toInteger()});
    };
    add(manifest.value(QStringLiteral("config")).toObject());
    const QJsonArray layers = manifest.value(QStringLiteral("layers")).toArray();
    for (const QJsonValue &layer : layers)
        add(layer.toObject());

    PushResult result;
    for (const BlobRef &blob : std::as_const(references)) {
        if (stop.stop_requested())
            return failWith(Error::cancelled(QStringLiteral("push to %1 cancelled").arg(target)));
        if (!isSha256Digest(blob.digest))
            return failWith(Error::failed(QStringLiteral("manifest %1 names an invalid blob digest %2")
                                              .arg(manifestDigest, blob.digest)));
        auto exists = client.blobExists(destination.repository, blob.digest);
        if (!exists)
            return failWith(exists.error());
        PushedBlob pushed;
        pushed.digest = blob.digest;
        pushed.size = blob.size;
        if (exists.value()) {
            pushed.action = QStringLiteral("skipped");
        } else {
            const QString path = blobs(blob.digest);
            const QFileInfo info(path);
            if (path.isEmpty() || !info.isFile())
                return failWith(Error::failed(QStringLiteral("cannot push to %1: blob %2 is missing locally")
                                                  .arg(target, blob.digest)));
            if (info.size() != blob.size)
                return failWith(Error::failed(QStringLiteral("cannot push to %1: blob %2 at %3 has %4 bytes, "
                                                             "the manifest says %5")
                                                  .arg(target, blob.digest, path)
                                                  .arg(info.size())
                                                  .arg(blob.size)));
            if (Status uploaded = client.uploadBlob(destination.repository, blob.digest, blob.size, path);
                !uploaded)
                return failWith(uploaded.error());
            pushed.action = QStringLiteral("uploaded");
        }
        sink.log(LogLevel::Info, QStringLiteral("push"),
                 QStringLiteral("%1 %2 (%3 bytes)").arg(pushed.action, pushed.digest).arg(pushed.size));
        result.blobs.append(pushed);
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
