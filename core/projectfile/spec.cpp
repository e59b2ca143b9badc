#include "projectfile/spec.h"

#include "projectfile/spectables.h"

#include <toml++/toml.h>

#include <string_view>

namespace slipway {

using namespace spec_detail;

namespace {

// Rules that involve more than one key; run only on an otherwise valid file.
void checkAcrossTables(SpecProblems &problems, Spec &spec, int healthLine)
{
    DeploySpec &deploy = spec.deploy;
    if (deploy.health && deploy.health->port == 0) {
        // The port defaults to the container side of the first published port, else the
        // first exposed port.
        if (!deploy.ports.isEmpty())
            deploy.health->port = *parsePortMapping(deploy.ports.front());
        else if (!spec.image.expose.isEmpty())
            deploy.health->port = spec.image.expose.front();
        else if (!deploy.health->path.isEmpty())
            problems.fail(healthLine,
                          QStringLiteral("[deploy] health.port is missing (and there are no [deploy] "
                                         "ports or [image] expose to take it from)"));
    }
}

// Reads slipway.toml's tables, each with the reader of its own file.
Result<Spec> readTables(const toml::table &root, const QString &fileName)
{
    SpecProblems problems(fileName);
    Spec spec;
    int healthLine = 0;
    bool sawLayers = false;
    for (auto &&[key, node] : root) {
        const QString name = toQString(key.str());
        if (name == QLatin1String("image")) {
            if (const toml::table *t = node.as_table())
                readImage(problems, *t, spec.image);
            else
                problems.fail(lineOf(node), QStringLiteral("image must be a table: write [image]"));
        } else if (name == QLatin1String("layers")) {
            sawLayers = true;
            readLayers(problems, node, spec.layers);
        } else if (name == QLatin1String("deploy")) {
            if (const toml::table *t = node.as_table())
                readDeploy(problems, *t, spec.deploy, healthLine);
            else
                problems.fail(lineOf(node), QStringLiteral("deploy must be a table: write [deploy]"));
        } else {
            problems.fail(lineOf(key),
                          QStringLiteral("unknown key '") + name +
                              QStringLiteral("' (the tables are [image], [[layers]] and [deploy])"));
        }
    }
    if (!problems.first() && (!sawLayers || spec.layers.isEmpty())) {
        return Error::badInput(fileName + QStringLiteral(": no [[layers]]: add at least one, e.g. "
                                                         "[[layers]] name = \"app\" include = [\"**\"]"));
    }
    if (!problems.first())
        checkAcrossTables(problems, spec, healthLine);
    if (problems.first())
        return *problems.first();
    return spec;
}

} // namespace

Result<Spec> parseSpec(const QByteArray &toml, const QString &fileName)
{
    toml::table root;
    try {
        const QByteArray source = fileName.toUtf8();
        root = toml::parse(std::string_view(toml.constData(), size_t(toml.size())),
                           std::string_view(source.constData(), size_t(source.size())));
    } catch (const toml::parse_error &e) {
        const toml::source_position &at = e.source().begin;
        return Error::badInput(fileName + u':' + QString::number(at.line) + u':' +
                               QString::number(at.column) + QStringLiteral(": syntax error: ") +
                               toQString(e.description()));
    } catch (const std::exception &e) {
        return Error::badInput(fileName + QStringLiteral(": cannot be read: ") + QString::fromUtf8(e.what()));
    }
    return readTables(root, fileName);
}

} // namespace slipway
