#include "puller.h"

#include "events/event.h"
#include "oci/mediatypes.h"
#include "registry/imagereference.h"
#include "registry/registryclient.h"
#include "store/contentstore.h"
#include "util/sha256.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace slipway {
namespace {

QString platformOf(const QString &os, const QString &architecture, const QString &variant)
{
    QString text = os + u'/' + architecture;
    if (!variant.isEmpty())
        text += u'/' + variant;
    return text;
}

class BasePuller
{
public:
    BasePuller(const ImageReference &reference, RegistryClient &client, const ContentStore &store,
               EventSink *events, std::stop_token stop)
        : m_reference(reference)
        , m_client(client)
        , m_store(store)
        , m_events(events)
        , m_stop(std::move(stop))
    {}

    Result<BaseImage> pull(const QString &platform)
    {
        m_client.setStopToken(m_stop);
        BaseImage base;
        base.reference = m_reference.toString();
        base.registry = m_reference.registry;
        base.repository = m_reference.repository;

        const QString ref = m_reference.digest.isEmpty() ? m_reference.tag : m_reference.digest;
        auto top = m_client.getManifest(m_reference.repository, ref);
        if (!top)
            return wrap(top.error());
        RegistryClient::Manifest manifest = std::move(top).value();
        QJsonObject json = QJsonDocument::fromJson(manifest.bytes).object();

        if (oci::isIndexMediaType(manifest.mediaType) || json.contains(QStringLiteral("manifests"))) {
            base.indexDigest = manifest.digest;
            const std::optional<oci::Descriptor> chosen = oci::choosePlatform(json, platform);
            if (!chosen)
                return fail(QStringLiteral("no image for platform %1 (the index has %2)")
                                .arg(platform, oci::indexPlatforms(json).join(QStringLiteral(", "))),
                            Error::Kind::BadInput);
            auto platformManifest = m_client.getManifest(m_reference.repository, chosen->digest);
            if (!platformManifest)
                return wrap(platformManifest.error());
            manifest = std::move(platformManifest).value();
            json = QJsonDocument::fromJson(manifest.bytes).object();
        }
        if (!oci::isManifestMediaType(manifest.mediaType) ||
            json.value(QStringLiteral("schemaVersion")).toInt() != 2)
            return fail(QStringLiteral("manifest %1 has media type '%2', not an OCI or Docker schema 2 image")
                            .arg(manifest.digest, manifest.mediaType));
        base.manifestDigest = manifest.digest;

        // The config: small, fetched into the store (verified there) and read back.
        const QJsonObject configDescriptor = json.value(QStringLiteral("config")).toObject();
        base.configDigest = configDescriptor.value(QStringLiteral("digest")).toString();
        const qint64 configSize = configDescriptor.value(QStringLiteral("size")).toInteger(-1);
        if (!isSha256Digest(base.configDigest) || configSize < 0 || configSize > 16 * 1024 * 1024)
            return fail(QStringLiteral("manifest %1 has no valid config descriptor").arg(manifest.digest));
        if (Status fetched = fetch(base.configDigest, configSize); !fetched)
            return wrap(fetched.error());
        auto configBytes = m_store.read(base.configDigest);
        if (!configBytes)
            return wrap(configBytes.error());
        QJsonParseError parseError;
        base.config = QJsonDocument::fromJson(configBytes.value(), &parseError).object();
        if (parseError.error != QJsonParseError::NoError)
            return fail(QStringLiteral("config %1 is not JSON").arg(base.configDigest));
        base.os = base.config.value(QStringLiteral("os")).toString();
        base.architecture = base.config.value(QStringLiteral("architecture")).toString();
        base.variant = base.config.value(QStringLiteral("variant")).toString();
        if (base.indexDigest.isEmpty()) {
            // A single image must be for the platform asked for; an index entry was chosen by it.
            if (!oci::platformMatches(platform, base.os, base.architecture, base.variant))
                return fail(QStringLiteral("the image is for %1, not %2")
                                .arg(platformOf(base.os, base.architecture, base.variant), platform),
                            Error::Kind::BadInput);
        }

        const QJsonArray diffIds = base.config.value(QStringLiteral("rootfs"))
                                       .toObject()
                                       .value(QStringLiteral("diff_ids"))
                                       .toArray();
        const QJsonArray layers = json.value(QStringLiteral("layers")).toArray();
        if (diffIds.size() != layers.size())
            return fail(QStringLiteral("manifest %1 has %2 layers, its config %3 diff_ids")
                            .arg(manifest.digest)
                            .arg(layers.size())
                            .arg(diffIds.size()));
        int fetchedLayers = 0;
        for (qsizetype i = 0; i < layers.size(); ++i) {
            const QJsonObject layer = layers.at(i).toObject();
            oci::ImageLayer imageLayer;
            imageLayer.blob.mediaType =
                oci::ociLayerMediaType(layer.value(QStringLiteral("mediaType")).toString());
            imageLayer.blob.digest = layer.value(QStringLiteral("digest")).toString();
            imageLayer.blob.size = layer.value(QStringLiteral("size")).toInteger(-1);
            imageLayer.diffId = diffIds.at(i).toString();
            if (!isSha256Digest(imageLayer.blob.digest) || imageLayer.blob.size < 0 ||
                !isSha256Digest(imageLayer.diffId))
                return fail(QStringLiteral("manifest %1: layer %2 has no valid digest, size or diff_id")
                                .arg(manifest.digest)
                                .arg(i));
            if (m_store.size(imageLayer.blob.digest) != imageLayer.blob.size) {
                if (Status fetched = fetch(imageLayer.blob.digest, imageLayer.blob.size); !fetched)
                    return wrap(fetched.error());
                ++fetchedLayers;
                if (m_events)
                    m_events->log(LogLevel::Info, QStringLiteral("build"),
                                  QStringLiteral("base layer %1 fetched (%2 bytes)")
                                      .arg(imageLayer.blob.digest)
                                      .arg(imageLayer.blob.size));
            }
            base.layers.append(imageLayer);
        }
        // Last, so a base that failed leaves no manifest naming blobs the store lacks.
        if (auto stored = m_store.put(manifest.bytes); !stored)
            return wrap(stored.error());

        if (m_events)
            m_events->log(LogLevel::Info, QStringLiteral("build"),
                          QStringLiteral("base %1 (%2): %3, %4 layers, %5 fetched")
                              .arg(base.reference, platform, base.manifestDigest)
                              .arg(base.layers.size())
                              .arg(fetchedLayers));
        return base;
    }

private:
    Status fetch(const QString &digest, qint64 size)
    {
        if (m_stop.stop_requested())
            return Error::cancelled(QStringLiteral("cancelled"));
        return m_client.fetchBlob(m_reference.repository, digest, size, m_store);
    }

    QString what() const { return QStringLiteral("base image %1").arg(m_reference.toString()); }

    // Client errors name registry and repository already.
    Error wrap(const Error &error) const
    {
        return Error{error.kind, what() + QStringLiteral(": ") + error.message};
    }

    Error fail(const QString &message, Error::Kind kind = Error::Kind::Failed) const
    {
        return Error{kind, QStringLiteral("%1: registry %2, repository %3: %4")
                               .arg(what(), m_reference.registry, m_reference.repository, message)};
    }

    const ImageReference &m_reference;
    RegistryClient &m_client;
    const ContentStore &m_store;
    EventSink *m_events;
    std::stop_token m_stop;
};

} // namespace

Result<BaseImage> pullBase(const ImageReference &reference, const QString &platform, RegistryClient &client,
                           const ContentStore &store, EventSink *events, std::stop_token stop)
{
    return BasePuller(reference, client, store, events, std::move(stop)).pull(platform);
}

} // namespace slipway
