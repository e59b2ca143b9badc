#include "imagereference.h"

#include "util/sha256.h"

#include <QRegularExpression>
#include <QStringList>

#include <algorithm>

namespace slipway {
namespace {

const QString dockerHub = QStringLiteral("docker.io");
const QString legacyDockerHub = QStringLiteral("index.docker.io");
const QString officialPrefix = QStringLiteral("library/");
constexpr qsizetype nameLengthMax = 255;

// The reference as typed, with control characters escaped so the message stays on one line.
QString quoted(const QString &text)
{
    QString result;
    for (const QChar c : text) {
        if (c == u'\n')
            result += QStringLiteral("\\n");
        else if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            result += QStringLiteral("\\x%1").arg(uint(c.unicode()), 2, 16, QChar(u'0'));
        else
            result += c;
    }
    return result;
}

Error invalid(const QString &text, const QString &what)
{
    return Error::badInput(QStringLiteral("invalid image reference '%1': %2").arg(quoted(text), what));
}

bool isAsciiGraphic(const QString &text)
{
    return std::all_of(text.cbegin(), text.cend(),
                       [](QChar c) { return c.unicode() > 0x20 && c.unicode() < 0x7f; });
}

bool isValidHost(const QString &host)
{
    // A DNS name or IPv4 address, or a bracketed IPv6 address; then an optional port.
    static const QRegularExpression pattern(QRegularExpression::anchoredPattern(QStringLiteral(
        "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
        "|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?")));
    return pattern.match(host).hasMatch();
}

// The host without its port (and without the brackets of an IPv6 address).
QString hostName(const QString &registry)
{
    if (registry.startsWith(u'[')) {
        const qsizetype close = registry.indexOf(u']');
        return close < 0 ? registry : registry.mid(1, close - 1);
    }
    const qsizetype colon = registry.indexOf(u':');
    return colon < 0 ? registry : registry.left(colon);
}

} // namespace

QString ImageReference::toString() const
{
    QString text = registry + u'/' + repository;
    if (!tag.isEmpty())
        text += u':' + tag;
    if (!digest.isEmpty())
        text += u'@' + digest;
    return text;
}

QString ImageReference::familiar() const
{
    const QString full = toString();
    if (registry != dockerHub)
        return full;
    QString path = full.mid(registry.size() + 1);
    // Only "library/name" is shortened; a nested "library/a/b" keeps its prefix, as in Docker.
    if (repository.startsWith(officialPrefix) && !repository.mid(officialPrefix.size()).contains(u'/'))
        path = path.mid(officialPrefix.size());
    return path;
}

Result<ImageReference> ImageReference::parse(const QString &text)
{
    static const QRegularExpression imageId(
        QRegularExpression::anchoredPattern(QStringLiteral("[a-f0-9]{64}")));
    static const QRegularExpression componentPattern(
        QRegularExpression::anchoredPattern(QStringLiteral("[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*")));
    static const QRegularExpression tagPattern(
        QRegularExpression::anchoredPattern(QStringLiteral("[\\w][\\w.-]{0,127}")));

    if (text.isEmpty())
        return invalid(text, QStringLiteral("it is empty"));
    // Every valid reference is printable ASCII; this also keeps a stray newline out of a digest.
    if (!isAsciiGraphic(text))
        return invalid(text, QStringLiteral("it contains white space, control or non-ASCII characters"));
    if (imageId.match(text).hasMatch())
        return invalid(text, QStringLiteral("a 64-digit hex string is an image id, not a repository name"));

    ImageReference reference;
    QString name = text;
    if (const qsizetype at = name.indexOf(u'@'); at >= 0) {
        reference.digest = name.mid(at + 1);
        name.truncate(at);
        if (!isSha256Digest(reference.digest))
            return invalid(text, QStringLiteral("the digest must be 'sha256:' followed by 64 lower-case hex "
                                                "digits"));
    }

    // The host, if the first component is one.
    QString remainder = name;
    reference.registry = dockerHub;
    if (const qsizetype slash = name.indexOf(u'/'); slash >= 0) {
        const QString first = name.left(slash);
        if (first.contains(u'.') || first.contains(u':') || first == QStringLiteral("localhost")) {
            reference.registry = first;
            remainder = name.mid(slash + 1);
        }
    }
    if (!isValidHost(reference.registry))
        return invalid(text, QStringLiteral("'%1' is not a valid registry host").arg(reference.registry));
    if (reference.registry == legacyDockerHub)
        reference.registry = dockerHub;

    // The host has been taken off, so a ':' left here starts the tag.
    if (const qsizetype colon = remainder.lastIndexOf(u':'); colon >= 0) {
        reference.tag = remainder.mid(colon + 1);
        remainder.truncate(colon);
        if (!tagPattern.match(reference.tag).hasMatch())
            return invalid(text,
                           QStringLiteral("'%1' is not a valid tag (letters, digits, '_', '.', '-', not "
                                          "starting with '.' or '-', at most 128)")
                               .arg(reference.tag));
    }

    if (remainder.isEmpty())
        return invalid(text, QStringLiteral("the repository name is missing"));
    if (remainder != remainder.toLower())
        return invalid(text, QStringLiteral("repository names must be lower-case"));
    for (const QString &component : remainder.split(u'/')) {
        if (component.isEmpty())
            return invalid(text, QStringLiteral("the repository name has an empty path component"));
        if (!componentPattern.match(component).hasMatch())
            return invalid(text, QStringLiteral("'%1' is not a valid repository path component (lower-case "
                                                "letters and digits, separated by '.', '_', '__' or '-')")
                                     .arg(component));
    }
    if (reference.registry == dockerHub && !remainder.contains(u'/'))
        remainder.prepend(officialPrefix);
    reference.repository = remainder;

    if (reference.registry.size() + 1 + reference.repository.size() > nameLengthMax)
        return invalid(text, QStringLiteral("the name is longer than %1 characters").arg(nameLengthMax));
    if (reference.tag.isEmpty() && reference.digest.isEmpty())
        reference.tag = QStringLiteral("latest");
    return reference;
}

bool isInsecureByDefault(const QString &registry)
{
    static const QRegularExpression ipv4Loopback(QRegularExpression::anchoredPattern(QStringLiteral(
        "127\\.(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){2}")));
    const QString host = hostName(registry);
    if (registry.startsWith(u'['))
        return host == QStringLiteral("::1") || host == QStringLiteral("0:0:0:0:0:0:0:1");
    return host.compare(QStringLiteral("localhost"), Qt::CaseInsensitive) == 0 ||
           ipv4Loopback.match(host).hasMatch();
}

} // namespace slipway
