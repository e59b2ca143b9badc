#include "image.h"

#include "oci/mediatypes.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

namespace slipway::oci {
namespace {

QJsonArray toArray(const QStringList &list)
{
    return QJsonArray::fromStringList(list);
}

QJsonObject toObject(const QMap<QString, QString> &map)
{
    QJsonObject object;
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        object.insert(it.key(), it.value());
    return object;
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

QJsonObject Descriptor::toJson() const
{
    QJsonObject object{{QStringLiteral("mediaType"), mediaType},
                       {QStringLiteral("digest"), digest},
                       {QStringLiteral("size"), size}};
    if (!annotations.isEmpty())
        object.insert(QStringLiteral("annotations"), toObject(annotations));
    return object;
}

QString rfc3339(qint64 secondsSinceEpoch)
{
    return QDateTime::fromSecsSinceEpoch(secondsSinceEpoch, Qt::UTC).toString(Qt::ISODate);
}

void splitPlatform(const QString &platform, QString *os, QString *architecture, QString *variant)
{
    const QStringList parts = platform.split(u'/');
    *os = parts.value(0);
    *architecture = parts.value(1);
    *variant = parts.value(2);
}

QByteArray imageConfig(const ImageInput &input)
{
    const ImageSpec &image = input.image;
    const QString created = rfc3339(input.created);

    QJsonObject config = input.baseConfig.value(QStringLiteral("config")).toObject();
    if (!image.user.isEmpty())
        config.insert(QStringLiteral("User"), image.user);
    if (!image.workdir.isEmpty())
        config.insert(QStringLiteral("WorkingDir"), image.workdir);
    if (!image.entrypoint.isEmpty()) {
        config.insert(QStringLiteral("Entrypoint"), toArray(image.entrypoint));
        config.remove(QStringLiteral("Cmd")); // the base's arguments were for its entrypoint
    }
    if (!image.cmd.isEmpty())
        config.insert(QStringLiteral("Cmd"), toArray(image.cmd));

    // Env by name: the base's order, the spec's values, then the spec's new names.
    QStringList env;
    QMap<QString, QString> pending = image.env;
    for (const QJsonValue &value : config.value(QStringLiteral("Env")).toArray()) {
        const QString assignment = value.toString();
        const QString name = assignment.section(u'=', 0, 0);
        if (pending.contains(name))
            env += name + u'=' + pending.take(name);
        else
            env += assignment;
    }
    for (auto it = pending.cbegin(); it != pending.cend(); ++it)
        env += it.key() + u'=' + it.value();
    if (!env.isEmpty())
        config.insert(QStringLiteral("Env"), toArray(env));

    QJsonObject ports = config.value(QStringLiteral("ExposedPorts")).toObject();
    for (const int port : image.expose)
        ports.insert(QStringLiteral("%1/tcp").arg(port), QJsonObject());
    if (!ports.isEmpty())
        config.insert(QStringLiteral("ExposedPorts"), ports);

    QJsonObject labels = config.value(QStringLiteral("Labels")).toObject();
    for (auto it = image.labels.cbegin(); it != image.labels.cend(); ++it)
        labels.insert(it.key(), it.value());
    if (!input.revision.isEmpty())
        labels.insert(QStringLiteral("org.opencontainers.image.revision"), input.revision);
    if (!input.source.isEmpty())
        labels.insert(QStringLiteral("org.opencontainers.image.source"), input.source);
    labels.insert(QStringLiteral("org.opencontainers.image.created"), created);
    config.insert(QStringLiteral("Labels"), labels);

    const QJsonObject baseRootfs = input.baseConfig.value(QStringLiteral("rootfs")).toObject();
    QJsonArray diffIds = baseRootfs.value(QStringLiteral("diff_ids")).toArray();
    QJsonArray history = input.baseConfig.value(QStringLiteral("history")).toArray();
    for (const ImageLayer &layer : input.layers) {
        diffIds.append(layer.diffId);
        history.append(
            QJsonObject{{QStringLiteral("created"), created},
                        {QStringLiteral("created_by"), layer.createdBy},
                        {QStringLiteral("comment"), QStringLiteral("slipway layer '%1'").arg(layer.name)}});
    }

    QJsonObject root{
        {QStringLiteral("created"), created},
        {QStringLiteral("architecture"), input.architecture},
        {QStringLiteral("os"), input.os},
        {QStringLiteral("config"), config},
        {QStringLiteral("rootfs"), QJsonObject{{QStringLiteral("type"), QStringLiteral("layers")},
                                               {QStringLiteral("diff_ids"), diffIds}}},
        {QStringLiteral("history"), history}};
    if (!input.variant.isEmpty())
        root.insert(QStringLiteral("variant"), input.variant);
    return compact(root);
}

QByteArray imageManifest(const Descriptor &config, const QList<ImageLayer> &layers,
                         const QMap<QString, QString> &annotations)
{
    QJsonArray layerArray;
    for (const ImageLayer &layer : layers)
        layerArray.append(layer.blob.toJson());
    QJsonObject root{{QStringLiteral("schemaVersion"), 2},
                     {QStringLiteral("mediaType"), manifestMediaType()},
                     {QStringLiteral("config"), config.toJson()},
                     {QStringLiteral("layers"), layerArray}};
    if (!annotations.isEmpty())
        root.insert(QStringLiteral("annotations"), toObject(annotations));
    return compact(root);
}

QByteArray imageIndex(const QList<IndexEntry> &manifests, const QMap<QString, QString> &annotations)
{
    QJsonArray array;
    for (const IndexEntry &entry : manifests) {
        QJsonObject descriptor = entry.manifest.toJson();
        QJsonObject platform{{QStringLiteral("os"), entry.os},
                             {QStringLiteral("architecture"), entry.architecture}};
        if (!entry.variant.isEmpty())
            platform.insert(QStringLiteral("variant"), entry.variant);
        descriptor.insert(QStringLiteral("platform"), platform);
        array.append(descriptor);
    }
    QJsonObject root{{QStringLiteral("schemaVersion"), 2},
                     {QStringLiteral("mediaType"), indexMediaType()},
                     {QStringLiteral("manifests"), array}};
    if (!annotations.isEmpty())
        root.insert(QStringLiteral("annotations"), toObject(annotations));
    return compact(root);
}

bool isIndexMediaType(const QString &mediaType)
{
    return mediaType == indexMediaType() ||
           mediaType == u"application/vnd.docker.distribution.manifest.list.v2+json";
}

bool isManifestMediaType(const QString &mediaType)
{
    return mediaType == manifestMediaType() ||
           mediaType == u"application/vnd.docker.distribution.manifest.v2+json";
}

QString ociLayerMediaType(const QString &mediaType)
{
    if (mediaType == u"application/vnd.docker.image.rootfs.diff.tar.gzip")
        return QStringLiteral("application/vnd.oci.image.layer.v1.tar+gzip");
    if (mediaType == u"application/vnd.docker.image.rootfs.diff.tar.zstd")
        return QStringLiteral("application/vnd.oci.image.layer.v1.tar+zstd");
    if (mediaType == u"application/vnd.docker.image.rootfs.diff.tar")
        return QStringLiteral("application/vnd.oci.image.layer.v1.tar");
    return mediaType;
}

namespace {

// arm64 images name their only variant "v8" or nothing.
QString normalVariant(const QString &architecture, const QString &variant)
{
    return architecture == u"arm64" && variant == u"v8" ? QString() : variant;
}

Descriptor descriptorOf(const QJsonObject &object)
{
    Descriptor descriptor;
    descriptor.mediaType = object.value(QStringLiteral("mediaType")).toString();
    descriptor.digest = object.value(QStringLiteral("digest")).toString();
    descriptor.size = object.value(QStringLiteral("size")).toInteger();
    return descriptor;
}

} // namespace

std::optional<Descriptor> choosePlatform(const QJsonObject &index, const QString &platform)
{
    QString os, architecture, variant;
    splitPlatform(platform, &os, &architecture, &variant);
    variant = normalVariant(architecture, variant);
    std::optional<Descriptor> first;
    for (const QJsonValue &value : index.value(QStringLiteral("manifests")).toArray()) {
        const QJsonObject entry = value.toObject();
        const QJsonObject p = entry.value(QStringLiteral("platform")).toObject();
        if (p.value(QStringLiteral("os")).toString() != os ||
            p.value(QStringLiteral("architecture")).toString() != architecture)
            continue;
        const QString entryVariant =
            normalVariant(architecture, p.value(QStringLiteral("variant")).toString());
        if (entryVariant == variant)
            return descriptorOf(entry);
        if (variant.isEmpty() && !first)
            first = descriptorOf(entry);
    }
    return first;
}

bool platformMatches(const QString &platform, const QString &os, const QString &architecture,
                     const QString &variant)
{
    QString wantedOs, wantedArchitecture, wantedVariant;
    splitPlatform(platform, &wantedOs, &wantedArchitecture, &wantedVariant);
    return os == wantedOs && architecture == wantedArchitecture &&
           (wantedVariant.isEmpty() ||
            normalVariant(architecture, variant) == normalVariant(wantedArchitecture, wantedVariant));
}

QStringList indexPlatforms(const QJsonObject &index)
{
    QStringList platforms;
    for (const QJsonValue &value : index.value(QStringLiteral("manifests")).toArray()) {
        const QJsonObject p = value.toObject().value(QStringLiteral("platform")).toObject();
        QString text = p.value(QStringLiteral("os")).toString() + u'/' +
                       p.value(QStringLiteral("architecture")).toString();
        if (const QString v = p.value(QStringLiteral("variant")).toString(); !v.isEmpty())
            text += u'/' + v;
        platforms.append(text);
    }
    return platforms;
}

} // namespace slipway::oci
