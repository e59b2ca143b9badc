#include "projectfile/spectables.h"

#include "projectfile/specformat.h"
#include "registry/imagereference.h"

#include <algorithm>
#include <limits>

namespace slipway::spec_detail {
namespace {

bool isLowerAlnum(QStringView s)
{
    return !s.isEmpty() && std::all_of(s.begin(), s.end(), [](QChar c) {
        return (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9');
    });
}

// "os/arch" or "os/arch/variant", lower-case letters and digits.
bool isPlatform(const QString &platform)
{
    const QList<QStringView> parts = QStringView(platform).split(u'/');
    return (parts.size() == 2 || parts.size() == 3) && std::all_of(parts.begin(), parts.end(), isLowerAlnum);
}

void readPlatforms(SpecProblems &problems, const toml::node &node, const QString &where, ImageSpec &image)
{
    QStringList platforms;
    if (!readStringList(problems, node, where, platforms))
        return;
    if (platforms.isEmpty()) {
        problems.fail(lineOf(node),
                      where + QStringLiteral(" must list at least one platform, e.g. [\"linux/amd64\"]"));
        return;
    }
    const toml::array &array = *node.as_array();
    for (qsizetype i = 0; i < platforms.size(); ++i) {
        if (!isPlatform(platforms[i])) {
            problems.fail(
                lineOf(array[size_t(i)]),
                where + QStringLiteral(": ") + quoted(platforms[i]) +
                    QStringLiteral(" is not \"os/arch\" or \"os/arch/variant\", e.g. \"linux/arm64\""));
            return;
        }
        if (platforms.indexOf(platforms[i]) < i) {
            problems.fail(lineOf(array[size_t(i)]), where + QStringLiteral(": ") + quoted(platforms[i]) +
                                                        QStringLiteral(" is listed twice"));
            return;
        }
    }
    image.platforms = platforms;
}

void readExpose(SpecProblems &problems, const toml::node &node, const QString &where, ImageSpec &image)
{
    const toml::array *array = node.as_array();
    if (!array) {
        problems.fail(lineOf(node),
                      where + QStringLiteral(" must be a list of ports, e.g. [8080], not ") + typeName(node));
        return;
    }
    QList<int> ports;
    for (const toml::node &item : *array) {
        int port = 0;
        if (!readPort(problems, item, where + QStringLiteral(" entry"), port))
            return;
        ports << port;
    }
    image.expose = ports;
}

} // namespace

void readImage(SpecProblems &problems, const toml::table &table, ImageSpec &image)
{
    const QString t = QStringLiteral("[image]");
    for (auto &&[key, node] : table) {
        const QString name = toQString(key.str());
        const QString where = t + u' ' + name;
        if (name == QLatin1String("base")) {
            if (readString(problems, node, where, image.base) &&
                (image.base.isEmpty() ||
                 std::any_of(image.base.begin(), image.base.end(), [](QChar c) { return c.isSpace(); }))) {
                problems.fail(lineOf(node),
                              where +
                                  QStringLiteral(" must be \"scratch\" or an image reference such as "
                                                 "\"docker.io/library/debian:12\", not ") +
                                  quoted(image.base));
            } else if (image.base != u"scratch") {
                // Checked here so the message has the line; the builder pulls it.
                if (auto reference = ImageReference::parse(image.base); !reference)
                    problems.fail(lineOf(node), where + QStringLiteral(": ") + reference.error().message);
            }
        } else if (name == QLatin1String("platforms")) {
            readPlatforms(problems, node, where, image);
        } else if (name == QLatin1String("workdir")) {
            if (readString(problems, node, where, image.workdir) && !image.workdir.isEmpty() &&
                !image.workdir.startsWith(u'/')) {
                problems.fail(lineOf(node), where + QStringLiteral(" must be an absolute path, not ") +
                                                quoted(image.workdir));
            }
        } else if (name == QLatin1String("entrypoint")) {
            readStringList(problems, node, where, image.entrypoint);
        } else if (name == QLatin1String("cmd")) {
            readStringList(problems, node, where, image.cmd);
        } else if (name == QLatin1String("env")) {
            readStringMap(problems, node, where, true, image.env);
        } else if (name == QLatin1String("user")) {
            if (const auto *i = node.as_integer()) {
                if (i->get() < 0 || i->get() > std::numeric_limits<quint32>::max())
                    problems.fail(lineOf(node),
                                  where + QStringLiteral(" must be a user id from 0 to 4294967295, not ") +
                                      QString::number(i->get()));
                else
                    image.user = QString::number(i->get());
            } else if (!node.is_string()) {
                problems.fail(lineOf(node), where + QStringLiteral(" must be a string or an integer, not ") +
                                                typeName(node));
            } else {
                readString(problems, node, where, image.user);
            }
        } else if (name == QLatin1String("expose")) {
            readExpose(problems, node, where, image);
        } else if (name == QLatin1String("labels")) {
            readStringMap(problems, node, where, false, image.labels);
        } else {
            problems.fail(lineOf(key), t + QStringLiteral(" unknown key '") + name + u'\'');
        }
    }
}

void readBuild(SpecProblems &problems, const toml::table &table, BuildSpec &build)
{
    const QString t = QStringLiteral("[build]");
    for (auto &&[key, node] : table) {
        const QString name = toQString(key.str());
        const QString where = t + u' ' + name;
        if (name == QLatin1String("dockerfile")) {
            if (readString(problems, node, where, build.dockerfile) &&
                (build.dockerfile.isEmpty() || build.dockerfile.startsWith(u'/') ||
                 build.dockerfile.split(u'/').contains(QStringLiteral(".."))))
                problems.fail(lineOf(node),
                              where +
                                  QStringLiteral(
                                      " must be a path in the repository, e.g. \"docker/Dockerfile\", not ") +
                                  quoted(build.dockerfile));
        } else if (name == QLatin1String("target")) {
            readString(problems, node, where, build.target);
        } else if (name == QLatin1String("args")) {
            readStringMap(problems, node, where, true, build.args);
        } else if (name == QLatin1String("engine")) {
            readString(problems, node, where, build.engine);
        } else {
            problems.fail(lineOf(key),
                          t + QStringLiteral(" unknown key '") + name +
                              QStringLiteral("' (the keys are dockerfile, target, args and engine)"));
        }
    }
}

} // namespace slipway::spec_detail
