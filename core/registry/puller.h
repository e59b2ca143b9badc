#pragma once

#include "oci/image.h"
#include "util/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <functional>
#include <memory>
#include <stop_token>

namespace slipway {

class ContentStore;
class EventSink;
class RegistryClient;
struct ImageReference;

// Makes the client for a registry (host[:port]) with the user's credentials and CA for it.
using RegistryClientFactory = std::function<Result<std::unique_ptr<RegistryClient>>(const QString &registry)>;

// A base image for one platform, its manifest, config and layers in the content store.
struct BaseImage
{
    QString reference;      // registry/repository[:tag][@digest], as asked for
    QString registry;       // host[:port]
    QString repository;     // in that registry
    QString indexDigest;    // when the reference named an index; empty otherwise
    QString manifestDigest; // the platform's image manifest
    QString configDigest;
    QJsonObject config; // the image config JSON
    QString os;
    QString architecture;
    QString variant;
    QList<oci::ImageLayer> layers; // bottom first; blob media types in OCI terms, with diffId
};

// Resolves reference (a tag or a digest) to the image for platform ("os/arch[/variant]"):
// chooses the platform's manifest when the reference names an index, fetches manifest and config
// (digest-verified), and every layer the store lacks (streamed, size- and digest-verified).
// Only verified blobs reach the store. Errors are one line naming the base image, the registry
// and the repository; logs to events (stage "build").
Result<BaseImage> pullBase(const ImageReference &reference, const QString &platform, RegistryClient &client,
                           const ContentStore &store, EventSink *events, std::stop_token stop);

} // namespace slipway
