#include "projectfile/spec.h"

#include "projectfile/spectables.h"

#include <toml++/toml.h>

#include <algorithm>
#include <string_view>

namespace slipway {

using namespace spec_detail;

namespace {

// Rules that involve more than one key; run only on an otherwise valid file.
void checkHealthPort(SpecProblems &problems, const Spec &spec, const QString &tableName, DeploySpec &deploy,
                     int healthLine)
{
    if (deploy.health && deploy.health->port == 0) {
        // The port defaults to the container side of the first published port, else the
        // first exposed port.
        if (deploy.proxy)
            deploy.health->port = deploy.proxy->port;
        else if (!deploy.ports.isEmpty())
            deploy.health->port = *parsePortMapping(deploy.ports.front());
        else if (!spec.image.expose.isEmpty())
            deploy.health->port = spec.image.expose.front();
        else if (!deploy.health->path.isEmpty())
            problems.fail(healthLine,
                          tableName + QStringLiteral(" health.port is missing (and there are no ") +
                              tableName + QStringLiteral(" ports or [image] expose to take it from)"));
    }
}

// [env.NAME] tables, read once [deploy] is: each is [deploy] with its own keys over it.
void readEnvironments(SpecProblems &problems, const toml::node &node, const DeploySpec &base, Spec &spec)
{
    const toml::table *envs = node.as_table();
    if (!envs) {
        problems.fail(lineOf(node),
                      QStringLiteral("env must be tables, one per environment: write [env.production]"));
        return;
    }
    for (auto &&[key, value] : *envs) {
        const QString name = toQString(key.str());
        const QString t = QStringLiteral("[env.") + name + u']';
        const bool nameOk = !name.isEmpty() && name.size() <= 63 && name.front().isLower() &&
                            std::all_of(name.begin(), name.end(), [](QChar c) {
                                return (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9') || c == u'-';
                            });
        if (!nameOk) {
            problems.fail(lineOf(key),
                          t + QStringLiteral(": an environment's name must start with a lower-case "
                                             "letter and hold only a-z, 0-9 and '-'"));
            continue;
        }
        const toml::table *table = value.as_table();
        if (!table) {
            problems.fail(lineOf(value), t + QStringLiteral(" must be a table: write [env.") + name + u']');
            continue;
        }
        EnvironmentSpec env;
        env.name = name;
        env.deploy =
            base; // as written: a health port [deploy] left out is chosen from the environment's ports
        int healthLine = 0;
        readDeploy(problems, *table, t, env.deploy, healthLine,
                   [&](const QString &keyName, const toml::node &keyValue) {
                       if (keyName != u"targets")
                           return false;
                       readStringList(problems, keyValue, t + QStringLiteral(" targets"), env.targets);
                       return true;
                   });
        env.namesApp = table->contains("name") && !env.deploy.name.isEmpty();
        if (!problems.first())
            checkHealthPort(problems, spec, t, env.deploy, healthLine);
        spec.environments.append(env);
    }
}

// Reads slipway.toml's tables, each with the reader of its own file.
Result<Spec> readTables(const toml::table &root, const QString &fileName)
{
    SpecProblems problems(fileName);
    Spec spec;
    int healthLine = 0;
    bool sawLayers = false;
    const toml::node *environments = nullptr; // read after [deploy], wherever they stand
    for (auto &&[key, node] : root) {
        const QString name = toQString(key.str());
        if (name == QLatin1String("image")) {
            if (const toml::table *t = node.as_table())
                readImage(problems, *t, spec.image);
            else
                problems.fail(lineOf(node), QStringLiteral("image must be a table: write [image]"));
        } else if (name == QLatin1String("build")) {
            if (const toml::table *t = node.as_table())
                readBuild(problems, *t, spec.build);
            else
                problems.fail(lineOf(node), QStringLiteral("build must be a table: write [build]"));
        } else if (name == QLatin1String("layers")) {
            sawLayers = true;
            readLayers(problems, node, spec.layers);
        } else if (name == QLatin1String("deploy")) {
            if (const toml::table *t = node.as_table())
                readDeploy(problems, *t, QStringLiteral("[deploy]"), spec.deploy, healthLine);
            else
                problems.fail(lineOf(node), QStringLiteral("deploy must be a table: write [deploy]"));
        } else if (name == QLatin1String("env")) {
            environments = &node;
        } else {
            problems.fail(
                lineOf(key),
                QStringLiteral("unknown key '") + name +
                    QStringLiteral(
                        "' (the tables are [image], [[layers]], [build], [deploy] and [env.NAME])"));
        }
    }
    // No [[layers]]: the Dockerfile says how the image is made (the build checks it is there).
    if (!problems.first() && sawLayers && spec.layers.isEmpty())
        return Error::badInput(fileName + QStringLiteral(": [[layers]] is empty: add at least one, e.g. "
                                                         "[[layers]] name = \"app\" include = [\"**\"]"));
    const DeploySpec written = spec.deploy; // before defaults that depend on other keys
    if (!problems.first())
        checkHealthPort(problems, spec, QStringLiteral("[deploy]"), spec.deploy, healthLine);
    if (environments && !problems.first())
        readEnvironments(problems, *environments, written, spec);
    if (problems.first())
        return *problems.first();
    return spec;
}

} // namespace

Spec dockerfileSpec()
{
    return Spec{};
}

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
