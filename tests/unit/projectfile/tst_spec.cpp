#include "projectfile/spec.h"

#include <QElapsedTimer>
#include <QTest>

using namespace slipway;

namespace {

// The example from the design brief.
const char designExample[] =
    "\n"
    "[image]\n"
    "base = \"scratch\"                  # or a registry reference, e.g. "
    "\"docker.io/library/python:3.12-slim\"\n"
    "platforms = [\"linux/amd64\"]       # the app layers are shared across platforms\n"
    "workdir = \"/app\"\n"
    "entrypoint = [\"/app/server\"]\n"
    "cmd = []\n"
    "env = { PORT = \"8080\" }\n"
    "user = \"65532\"\n"
    "expose = [8080]\n"
    "labels = { \"org.opencontainers.image.title\" = \"hello\" }\n"
    "\n"
    "[[layers]]                        # bottom to top; a file goes to the first layer that takes it\n"
    "name = \"deps\"\n"
    "include = [\"vendor/**\"]\n"
    "dest = \"/app\"                     # repository paths are placed under dest\n"
    "\n"
    "[[layers]]\n"
    "name = \"app\"\n"
    "include = [\"**\"]\n"
    "dest = \"/app\"\n"
    "\n"
    "[deploy]\n"
    "name = \"hello\"                    # container name prefix on targets\n"
    "ports = [\"8080:8080\"]             # or network = \"host\"\n"
    "env = { LOG_LEVEL = \"info\" }\n"
    "health = { path = \"/healthz\", port = 8080, timeout = \"30s\" }\n"
    "restart = \"unless-stopped\"\n";

const char minimalLayer[] = "[[layers]]\nname = \"app\"\ninclude = [\"**\"]\n";

QByteArray withLayer(const char *rest)
{
    return QByteArray(minimalLayer) + QByteArray(rest);
}

SourceFile file(const char *path)
{
    SourceFile f;
    f.path = QString::fromUtf8(path);
    return f;
}

QStringList paths(const QList<SourceFile> &files)
{
    QStringList out;
    for (const SourceFile &f : files)
        out << f.path;
    return out;
}

QStringList split(const char *list)
{
    return QString::fromUtf8(list).split(u' ', Qt::SkipEmptyParts);
}

} // namespace

class TestSpec : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesDesignExample();
    void defaults();
    void tablesAsHeaders();
    void values_data();
    void values();
    void durations_data();
    void durations();
    void healthPortDefault_data();
    void healthPortDefault();
    void badInput_data();
    void badInput();
    void containerSettings();
    void proxy_data();
    void proxy();
    void proxyTlsInternal();
    void dockerfileBuild();
    void environments();
    void customFileName();

    void assigns_data();
    void assigns();
    void layerTakingNothing_data();
    void layerTakingNothing();
    void assignsManyFilesToManyLayers();
};

void TestSpec::parsesDesignExample()
{
    const Result<Spec> spec = parseSpec(QByteArray(designExample));
    QVERIFY2(spec.ok(), qPrintable(spec.ok() ? QString() : spec.error().message));

    const ImageSpec &image = spec->image;
    QCOMPARE(image.base, QStringLiteral("scratch"));
    QCOMPARE(image.platforms, QStringList{QStringLiteral("linux/amd64")});
    QCOMPARE(image.workdir, QStringLiteral("/app"));
    QCOMPARE(image.entrypoint, QStringList{QStringLiteral("/app/server")});
    QCOMPARE(image.cmd, QStringList());
    QCOMPARE(image.env, (QMap<QString, QString>{{QStringLiteral("PORT"), QStringLiteral("8080")}}));
    QCOMPARE(image.user, QStringLiteral("65532"));
    QCOMPARE(image.expose, QList<int>{8080});
    QCOMPARE(image.labels, (QMap<QString, QString>{
                               {QStringLiteral("org.opencontainers.image.title"), QStringLiteral("hello")}}));

    QCOMPARE(spec->layers.size(), 2);
    QCOMPARE(spec->layers[0].name, QStringLiteral("deps"));
    QCOMPARE(spec->layers[0].include, QStringList{QStringLiteral("vendor/**")});
    QCOMPARE(spec->layers[0].exclude, QStringList());
    QCOMPARE(spec->layers[0].dest, QStringLiteral("/app"));
    QCOMPARE(spec->layers[1].name, QStringLiteral("app"));
    QCOMPARE(spec->layers[1].include, QStringList{QStringLiteral("**")});
    QCOMPARE(spec->layers[1].dest, QStringLiteral("/app"));

    const DeploySpec &deploy = spec->deploy;
    QCOMPARE(deploy.name, QStringLiteral("hello"));
    QCOMPARE(deploy.ports, QStringList{QStringLiteral("8080:8080")});
    QCOMPARE(deploy.network, QString());
    QCOMPARE(deploy.env, (QMap<QString, QString>{{QStringLiteral("LOG_LEVEL"), QStringLiteral("info")}}));
    QVERIFY(deploy.health.has_value());
    QCOMPARE(deploy.health->path, QStringLiteral("/healthz"));
    QCOMPARE(deploy.health->port, 8080);
    QCOMPARE(deploy.health->timeoutSeconds, 30);
    QCOMPARE(deploy.health->intervalSeconds, 1);
    QCOMPARE(deploy.restart, QStringLiteral("unless-stopped"));
}

void TestSpec::defaults()
{
    const Result<Spec> spec = parseSpec(QByteArray(minimalLayer));
    QVERIFY2(spec.ok(), qPrintable(spec.ok() ? QString() : spec.error().message));
    QCOMPARE(spec->image.base, QStringLiteral("scratch"));
    QCOMPARE(spec->image.platforms, QStringList{QStringLiteral("linux/amd64")});
    QCOMPARE(spec->image.workdir, QString());
    QVERIFY(spec->image.entrypoint.isEmpty());
    QVERIFY(spec->image.cmd.isEmpty());
    QVERIFY(spec->image.env.isEmpty());
    QCOMPARE(spec->image.user, QString());
    QVERIFY(spec->image.expose.isEmpty());
    QVERIFY(spec->image.labels.isEmpty());
    QCOMPARE(spec->layers.size(), 1);
    QCOMPARE(spec->layers[0].dest, QStringLiteral("/"));
    QVERIFY(spec->layers[0].exclude.isEmpty());
    QCOMPARE(spec->deploy.name, QString());
    QVERIFY(spec->deploy.ports.isEmpty());
    QCOMPARE(spec->deploy.network, QString());
    QVERIFY(spec->deploy.env.isEmpty());
    QVERIFY(!spec->deploy.health.has_value());
    QCOMPARE(spec->deploy.restart, QStringLiteral("unless-stopped"));
    QCOMPARE(spec->deploy.stopTimeoutSeconds, 10); // Docker's own default grace
}

// Sub-tables may be written as headers as well as inline.
void TestSpec::tablesAsHeaders()
{
    const Result<Spec> spec = parseSpec(withLayer("[image.env]\n"
                                                  "A = \"1\"\n"
                                                  "[deploy]\n"
                                                  "network = \"host\"\n"
                                                  "[deploy.health]\n"
                                                  "port = 9000\n"
                                                  "interval = \"2s\"\n"));
    QVERIFY2(spec.ok(), qPrintable(spec.ok() ? QString() : spec.error().message));
    QCOMPARE(spec->image.env.value(QStringLiteral("A")), QStringLiteral("1"));
    QCOMPARE(spec->deploy.network, QStringLiteral("host"));
    QVERIFY(spec->deploy.health.has_value());
    QCOMPARE(spec->deploy.health->path, QString());
    QCOMPARE(spec->deploy.health->port, 9000);
    QCOMPARE(spec->deploy.health->intervalSeconds, 2);
    QCOMPARE(spec->deploy.health->timeoutSeconds, 30);
}

// Values that are accepted and how they come out.
void TestSpec::values_data()
{
    QTest::addColumn<QByteArray>("toml");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("expected");

    QTest::newRow("user integer") << withLayer("[image]\nuser = 1000\n") << QStringLiteral("user")
                                  << QStringLiteral("1000");
    QTest::newRow("user name") << withLayer("[image]\nuser = \"nobody:nogroup\"\n") << QStringLiteral("user")
                               << QStringLiteral("nobody:nogroup");
    QTest::newRow("env integer") << withLayer("[image]\nenv = { PORT = 8080 }\n")
                                 << QStringLiteral("env.PORT") << QStringLiteral("8080");
    QTest::newRow("env boolean") << withLayer("[image]\nenv = { DEBUG = false }\n")
                                 << QStringLiteral("env.DEBUG") << QStringLiteral("false");
    QTest::newRow("base reference") << withLayer("[image]\nbase = \"127.0.0.1:5000/busybox:latest\"\n")
                                    << QStringLiteral("base")
                                    << QStringLiteral("127.0.0.1:5000/busybox:latest");
    QTest::newRow("platforms") << withLayer("[image]\nplatforms = [\"linux/amd64\", \"linux/arm/v7\"]\n")
                               << QStringLiteral("platforms") << QStringLiteral("linux/amd64 linux/arm/v7");
    QTest::newRow("ports udp") << withLayer("[deploy]\nports = [\"53:5353/udp\", \"80:8080/tcp\"]\n")
                               << QStringLiteral("ports") << QStringLiteral("53:5353/udp 80:8080/tcp");
    QTest::newRow("layer exclude") << QByteArray(
                                          "[[layers]]\nname = \"a.b_c-1\"\ninclude = [\"src/**\", \"*.md\"]\n"
                                          "exclude = [\"**/*_test.go\"]\ndest = \"/\"\n")
                                   << QStringLiteral("layer")
                                   << QStringLiteral("a.b_c-1 src/** *.md **/*_test.go");
    QTest::newRow("deploy name") << withLayer("[deploy]\nname = \"0web.api_v2-x\"\n")
                                 << QStringLiteral("name") << QStringLiteral("0web.api_v2-x");
    QTest::newRow("restart") << withLayer("[deploy]\nrestart = \"on-failure\"\n") << QStringLiteral("restart")
                             << QStringLiteral("on-failure");
    QTest::newRow("stop_timeout") << withLayer("[deploy]\nstop_timeout = 30\n")
                                  << QStringLiteral("stop_timeout") << QStringLiteral("30");
    QTest::newRow("stop_timeout zero: kill at once")
        << withLayer("[deploy]\nstop_timeout = 0\n") << QStringLiteral("stop_timeout") << QStringLiteral("0");
    QTest::newRow("stop_timeout an hour") << withLayer("[deploy]\nstop_timeout = 3600\n")
                                          << QStringLiteral("stop_timeout") << QStringLiteral("3600");
    QTest::newRow("replicas") << withLayer("[deploy]\nreplicas = 3\n") << QStringLiteral("replicas")
                              << QStringLiteral("3");
    QTest::newRow("replicas default")
        << withLayer("[deploy]\nname = \"x\"\n") << QStringLiteral("replicas") << QStringLiteral("1");
    QTest::newRow("dest nested")
        << QByteArray("[[layers]]\nname = \"a\"\ninclude = [\"**\"]\ndest = \"/opt/my.app\"\n")
        << QStringLiteral("dest") << QStringLiteral("/opt/my.app");
}

void TestSpec::values()
{
    QFETCH(QByteArray, toml);
    QFETCH(QString, field);
    QFETCH(QString, expected);

    const Result<Spec> spec = parseSpec(toml);
    QVERIFY2(spec.ok(), qPrintable(spec.ok() ? QString() : spec.error().message));
    QString actual;
    if (field == QLatin1String("user"))
        actual = spec->image.user;
    else if (field.startsWith(QLatin1String("env.")))
        actual = spec->image.env.value(field.mid(4));
    else if (field == QLatin1String("platforms"))
        actual = spec->image.platforms.join(u' ');
    else if (field == QLatin1String("base"))
        actual = spec->image.base;
    else if (field == QLatin1String("ports"))
        actual = spec->deploy.ports.join(u' ');
    else if (field == QLatin1String("layer"))
        actual = QStringList{spec->layers[0].name, spec->layers[0].include.join(u' '),
                             spec->layers[0].exclude.join(u' ')}
                     .join(u' ');
    else if (field == QLatin1String("name"))
        actual = spec->deploy.name;
    else if (field == QLatin1String("restart"))
        actual = spec->deploy.restart;
    else if (field == QLatin1String("stop_timeout"))
        actual = QString::number(spec->deploy.stopTimeoutSeconds);
    else if (field == QLatin1String("dest"))
        actual = spec->layers[0].dest;
    else if (field == QLatin1String("replicas"))
        actual = QString::number(spec->deploy.replicas);
    QCOMPARE(actual, expected);
}

void TestSpec::durations_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<int>("seconds");

    QTest::newRow("seconds") << QByteArray("\"30s\"") << 30;
    QTest::newRow("minutes") << QByteArray("\"2m\"") << 120;
    QTest::newRow("hours") << QByteArray("\"1h\"") << 3600;
    QTest::newRow("millis rounded up") << QByteArray("\"500ms\"") << 1;
    QTest::newRow("millis over a second") << QByteArray("\"1001ms\"") << 2;
    QTest::newRow("millis exact") << QByteArray("\"2000ms\"") << 2;
    QTest::newRow("combined") << QByteArray("\"1m30s\"") << 90;
    QTest::newRow("integer") << QByteArray("45") << 45;
    QTest::newRow("24h") << QByteArray("\"24h\"") << 86400;
}

void TestSpec::durations()
{
    QFETCH(QByteArray, value);
    QFETCH(int, seconds);

    const Result<Spec> spec = parseSpec(withLayer("[deploy.health]\nport = 80\ntimeout = ") + value +
                                        "\ninterval = " + value + "\n");
    QVERIFY2(spec.ok(), qPrintable(spec.ok() ? QString() : spec.error().message));
    QCOMPARE(spec->deploy.health->timeoutSeconds, seconds);
    QCOMPARE(spec->deploy.health->intervalSeconds, seconds);
}

// Without health.port, the health check uses the first published container port, else the
// first exposed port.
void TestSpec::healthPortDefault_data()
{
    QTest::addColumn<QByteArray>("toml");
    QTest::addColumn<int>("port");

    QTest::newRow("from ports")
        << withLayer("[image]\nexpose = [9000]\n[deploy]\nports = [\"80:8080\", \"81:8081\"]\n"
                     "health = { path = \"/up\" }\n")
        << 8080;
    QTest::newRow("from expose") << withLayer("[image]\nexpose = [9000, 9001]\n[deploy]\nnetwork = \"host\"\n"
                                              "health = { path = \"/up\" }\n")
                                 << 9000;
    QTest::newRow("explicit")
        << withLayer("[image]\nexpose = [9000]\n[deploy]\nhealth = { path = \"/\", port = 7 }\n") << 7;
    QTest::newRow("no path, no port") << withLayer("[deploy]\nhealth = { timeout = 5 }\n") << 0;
    // Behind the proxy the check goes where the proxy sends requests.
    QTest::newRow("from proxy") << withLayer(
                                       "[image]\nexpose = [9000]\n[deploy]\nhealth = { path = \"/up\" }\n"
                                       "proxy = { hosts = [\"app.example.com\"], port = 3000 }\n")
                                << 3000;
    QTest::newRow("explicit behind proxy")
        << withLayer("[deploy]\nhealth = { path = \"/up\", port = 3001 }\n"
                     "proxy = { hosts = [\"app.example.com\"], port = 3000 }\n")
        << 3001;
}

void TestSpec::healthPortDefault()
{
    QFETCH(QByteArray, toml);
    QFETCH(int, port);

    const Result<Spec> spec = parseSpec(toml);
    QVERIFY2(spec.ok(), qPrintable(spec.ok() ? QString() : spec.error().message));
    QVERIFY(spec->deploy.health.has_value());
    QCOMPARE(spec->deploy.health->port, port);
}

void TestSpec::badInput_data()
{
    QTest::addColumn<QByteArray>("toml");
    QTest::addColumn<QString>("message");

    auto row = [](const char *name, const QByteArray &toml, const char *message) {
        QTest::newRow(name) << toml << QString::fromUtf8(message);
    };

    // The file as a whole
    // (No [[layers]] at all is a Dockerfile build: dockerfileBuild(). An empty list is not.)
    row("empty layers", QByteArray("layers = []\n"),
        "slipway.toml: [[layers]] is empty: add at least one, e.g. [[layers]] name = \"app\" include = "
        "[\"**\"]");
    row("build not a table", QByteArray("build = \"Dockerfile\"\n"),
        "slipway.toml:1: build must be a table: write [build]");
    row("build unknown key", QByteArray("[build]\ndockerfiles = \"Dockerfile\"\n"),
        "slipway.toml:2: [build] unknown key 'dockerfiles' (the keys are dockerfile, target, args and "
        "engine)");
    row("build dockerfile outside", QByteArray("[build]\ndockerfile = \"../Dockerfile\"\n"),
        "slipway.toml:2: [build] dockerfile must be a path in the repository, e.g. \"docker/Dockerfile\", "
        "not "
        "\"../Dockerfile\"");
    row("build args not a table", QByteArray("[build]\nargs = [\"NODE_VERSION=20\"]\n"),
        "slipway.toml:2: [build] args must be a table of strings, e.g. { NAME = \"value\" }, not a list");
    row("syntax error", QByteArray("[image]\nbase = \"scratch\"\nworkdir = /app\n"),
        "slipway.toml:3:11: syntax error: Error while parsing value: could not determine value type");
    row("duplicate key", QByteArray("[image]\nbase = \"a\"\nbase = \"b\"\n"),
        "slipway.toml:3:8: syntax error: Error while parsing key-value pair: cannot redefine existing string "
        "'base'");
    row("unknown table", withLayer("[images]\nbase = \"x\"\n"),
        "slipway.toml:4: unknown key 'images' (the tables are [image], [[layers]], [build], [deploy] and "
        "[env.NAME])");
    row("image not a table", QByteArray("image = \"debian\"\n") + minimalLayer,
        "slipway.toml:1: image must be a table: write [image]");
    row("layers as table", QByteArray("[layers]\nname = \"app\"\n"),
        "slipway.toml:1: layers must be an array of tables: write [[layers]]");
    row("earliest line wins", withLayer("[image]\nworkdir = \"app\"\n[deploy]\nrestart = \"never\"\n"),
        "slipway.toml:5: [image] workdir must be an absolute path, not \"app\"");

    // [image]
    row("image unknown key", withLayer("[image]\nbase = \"scratch\"\n\nentrypont = [\"/x\"]\n"),
        "slipway.toml:7: [image] unknown key 'entrypont'");
    row("image base type", withLayer("[image]\nbase = 3\n"),
        "slipway.toml:5: [image] base must be a string, not an integer");
    row("image base empty", withLayer("[image]\nbase = \"\"\n"),
        "slipway.toml:5: [image] base must be \"scratch\" or an image reference such as "
        "\"docker.io/library/debian:12\", not \"\"");
    row("image base bad reference", withLayer("[image]\nbase = \"Registry.example.com/UPPER:1\"\n"),
        "slipway.toml:5: [image] base: invalid image reference 'Registry.example.com/UPPER:1': repository "
        "names must be lower-case");
    row("image workdir relative", withLayer("[image]\nworkdir = \"app\"\n"),
        "slipway.toml:5: [image] workdir must be an absolute path, not \"app\"");
    row("image entrypoint string", withLayer("[image]\nentrypoint = \"/app/server\"\n"),
        "slipway.toml:5: [image] entrypoint must be a list of strings, not a string");
    row("image cmd mixed", withLayer("[image]\ncmd = [\"a\", 1]\n"),
        "slipway.toml:5: [image] cmd must be a list of strings, not a list holding other values");
    row("image platforms empty", withLayer("[image]\nplatforms = []\n"),
        "slipway.toml:5: [image] platforms must list at least one platform, e.g. [\"linux/amd64\"]");
    row("image platform bad", withLayer("[image]\nplatforms = [\n  \"linux/amd64\",\n  \"amd64\",\n]\n"),
        "slipway.toml:7: [image] platforms: \"amd64\" is not \"os/arch\" or \"os/arch/variant\", e.g. "
        "\"linux/arm64\"");
    row("image platform twice", withLayer("[image]\nplatforms = [\"linux/amd64\", \"linux/amd64\"]\n"),
        "slipway.toml:5: [image] platforms: \"linux/amd64\" is listed twice");
    row("image env value", withLayer("[image]\nenv = { A = 1.5 }\n"),
        "slipway.toml:5: [image] env 'A' must be a string, not a float");
    row("image env key with =", withLayer("[image]\nenv = { \"A=B\" = \"1\" }\n"),
        "slipway.toml:5: [image] env name 'A=B' contains '='");
    row("image env key empty", withLayer("[image]\nenv = { \"\" = \"1\" }\n"),
        "slipway.toml:5: [image] env has an empty name");
    row("image env not table", withLayer("[image]\nenv = [\"A=1\"]\n"),
        "slipway.toml:5: [image] env must be a table of strings, e.g. { NAME = \"value\" }, not a list");
    row("image user bool", withLayer("[image]\nuser = true\n"),
        "slipway.toml:5: [image] user must be a string or an integer, not a boolean");
    row("image user negative", withLayer("[image]\nuser = -1\n"),
        "slipway.toml:5: [image] user must be a user id from 0 to 4294967295, not -1");
    row("image expose range", withLayer("[image]\nexpose = [80, 70000]\n"),
        "slipway.toml:5: [image] expose entry must be a port from 1 to 65535, not 70000");
    row("image expose zero", withLayer("[image]\nexpose = [0]\n"),
        "slipway.toml:5: [image] expose entry must be a port from 1 to 65535, not 0");
    row("image expose string", withLayer("[image]\nexpose = [\"8080/tcp\"]\n"),
        "slipway.toml:5: [image] expose entry must be an integer, not a string");
    row("image labels value", withLayer("[image]\nlabels = { a = [] }\n"),
        "slipway.toml:5: [image] labels 'a' must be a string, not a list");

    // [[layers]]
    row("layer unknown key",
        QByteArray("[[layers]]\nname = \"app\"\nincludes = [\"**\"]\ninclude = [\"**\"]\n"),
        "slipway.toml:3: [[layers]] #1 'app': unknown key 'includes'");
    row("layer include type",
        QByteArray(minimalLayer) + "\n[[layers]]\nname = \"app2\"\ndest = \"/\"\n\n\n\n\ninclude = \"**\"\n",
        "slipway.toml:12: [[layers]] #2 'app2': include must be a list of strings, not a string");
    row("layer include missing", QByteArray("[[layers]]\nname = \"app\"\n"),
        "slipway.toml:1: [[layers]] #1 'app': include is missing, e.g. include = [\"**\"]");
    row("layer include empty", QByteArray("[[layers]]\nname = \"app\"\ninclude = []\n"),
        "slipway.toml:3: [[layers]] #1 'app': include must list at least one glob, e.g. [\"**\"]");
    row("layer include empty glob", QByteArray("[[layers]]\nname = \"app\"\ninclude = [\"\"]\n"),
        "slipway.toml:3: [[layers]] #1 'app': include has an empty glob");
    row("layer include bad glob",
        QByteArray("[[layers]]\nname = \"app\"\ninclude = [\"src/**\", \"a**b\"]\n"),
        "slipway.toml:3: [[layers]] #1 'app': include: glob \"a**b\": '**' must be a whole path segment, as "
        "in \"a/**/b\" (within a segment, use '*')");
    row("layer exclude bad glob",
        QByteArray("[[layers]]\nname = \"app\"\ninclude = [\"**\"]\nexclude = [\n  \"[a-\",\n]\n"),
        "slipway.toml:5: [[layers]] #1 'app': exclude: glob \"[a-\": '[' at column 1 is not closed by ']'");
    row("layer name missing", QByteArray(minimalLayer) + "[[layers]]\ninclude = [\"x\"]\n",
        "slipway.toml:4: [[layers]] #2: name is missing");
    row("layer name empty", QByteArray("[[layers]]\nname = \"\"\ninclude = [\"**\"]\n"),
        "slipway.toml:2: [[layers]] #1: name \"\" must be letters, digits, '.', '_' and '-' only");
    row("layer name chars", QByteArray("[[layers]]\nname = \"my app\"\ninclude = [\"**\"]\n"),
        "slipway.toml:2: [[layers]] #1: name \"my app\" must be letters, digits, '.', '_' and '-' only");
    row("layer name type", QByteArray("[[layers]]\nname = 1\ninclude = [\"**\"]\n"),
        "slipway.toml:2: [[layers]] #1: name must be a string, not an integer");
    row("layer name twice", QByteArray(minimalLayer) + minimalLayer,
        "slipway.toml:5: [[layers]] #2: name 'app' is already used by layer #1");
    row("layer dest relative", QByteArray("[[layers]]\nname = \"app\"\ninclude = [\"**\"]\ndest = \"app\"\n"),
        "slipway.toml:4: [[layers]] #1 'app': dest \"app\" must be an absolute path, e.g. \"/app\"");
    row("layer dest trailing slash",
        QByteArray("[[layers]]\nname = \"app\"\ninclude = [\"**\"]\ndest = \"/app/\"\n"),
        "slipway.toml:4: [[layers]] #1 'app': dest \"/app/\" must be written without a trailing '/'");
    row("layer dest dotdot",
        QByteArray("[[layers]]\nname = \"app\"\ninclude = [\"**\"]\ndest = \"/app/../etc\"\n"),
        "slipway.toml:4: [[layers]] #1 'app': dest \"/app/../etc\" must be a normalised path (no \"//\", "
        "\".\" or \"..\")");
    row("layer dest double slash",
        QByteArray("[[layers]]\nname = \"app\"\ninclude = [\"**\"]\ndest = \"//app\"\n"),
        "slipway.toml:4: [[layers]] #1 'app': dest \"//app\" must be a normalised path (no \"//\", \".\" or "
        "\"..\")");
    // Each directory above a layer's files is an entry: a deep dest made a 40 KB spec a 426 MB
    // layer. And a quoted value is cut: the message stays one readable line.
    row("layer dest too deep",
        QByteArray("[[layers]]\nname = \"app\"\ninclude = [\"**\"]\ndest = \"") +
            QByteArray("/a").repeated(33) + "\"\n",
        "slipway.toml:4: [[layers]] #1 'app': dest "
        "\"/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a\" "
        "must be at most 32 components and 1024 bytes long");
    row("layer dest of 10 MB",
        QByteArray("[[layers]]\nname = \"app\"\ninclude = [\"**\"]\ndest = \"/") + QByteArray(10 << 20, 'x') +
            "\"\n",
        QByteArray("slipway.toml:4: [[layers]] #1 'app': dest \"/" + QByteArray(119, 'x') +
                   "…\" (10485761 characters) must be at most 32 components and 1024 bytes long")
            .constData());

    // [deploy]
    row("deploy unknown key", withLayer("[deploy]\nport = [\"80:80\"]\n"),
        "slipway.toml:5: [deploy] unknown key 'port'");
    row("deploy name", withLayer("[deploy]\nname = \"Hello\"\n"),
        "slipway.toml:5: [deploy] name \"Hello\" must start with a lower-case letter or digit and hold only "
        "a-z, 0-9, '_', '.' and '-'");
    row("deploy name leading dash", withLayer("[deploy]\nname = \"-x\"\n"),
        "slipway.toml:5: [deploy] name \"-x\" must start with a lower-case letter or digit and hold only "
        "a-z, 0-9, '_', '.' and '-'");
    row("deploy ports single", withLayer("[deploy]\nports = [\"8080\"]\n"),
        "slipway.toml:5: [deploy] ports: \"8080\" must be \"HOST:CONTAINER\", \"ADDRESS:HOST:CONTAINER\" or "
        "either with /tcp or /udp, with ports from 1 to 65535");
    row("deploy ports range", withLayer("[deploy]\nports = [\"80:80\", \"80:70000\"]\n"),
        "slipway.toml:5: [deploy] ports: \"80:70000\" must be \"HOST:CONTAINER\", "
        "\"ADDRESS:HOST:CONTAINER\" or either with /tcp or /udp, with ports from 1 to 65535");
    row("deploy ports protocol", withLayer("[deploy]\nports = [\"80:80/sctp\"]\n"),
        "slipway.toml:5: [deploy] ports: \"80:80/sctp\" must be \"HOST:CONTAINER\", "
        "\"ADDRESS:HOST:CONTAINER\" or either with /tcp or /udp, with ports from 1 to 65535");
    row("deploy ports integer", withLayer("[deploy]\nports = [8080]\n"),
        "slipway.toml:5: [deploy] ports must be a list of strings, not a list holding other values");
    row("deploy restart", withLayer("[deploy]\nrestart = \"never\"\n"),
        "slipway.toml:5: [deploy] restart \"never\" must be one of \"no\", \"always\", \"on-failure\" or "
        "\"unless-stopped\"");
    row("stop_timeout negative", withLayer("[deploy]\nstop_timeout = -1\n"),
        "slipway.toml:5: [deploy] stop_timeout must be whole seconds from 0 to 3600, e.g. stop_timeout = 30, "
        "not -1");
    row("stop_timeout too long", withLayer("[deploy]\nname = \"x\"\nstop_timeout = 3601\n"),
        "slipway.toml:6: [deploy] stop_timeout must be whole seconds from 0 to 3600, e.g. stop_timeout = 30, "
        "not 3601");
    row("stop_timeout duration string", withLayer("[deploy]\nstop_timeout = \"10s\"\n"),
        "slipway.toml:5: [deploy] stop_timeout must be whole seconds from 0 to 3600, e.g. stop_timeout = 30, "
        "not \"10s\"");
    row("stop_timeout float", withLayer("[deploy]\nstop_timeout = 1.5\n"),
        "slipway.toml:5: [deploy] stop_timeout must be whole seconds from 0 to 3600, e.g. stop_timeout = 30, "
        "not a float");
    row("stop_timeout huge", withLayer("[deploy]\nstop_timeout = 9223372036854775807\n"),
        "slipway.toml:5: [deploy] stop_timeout must be whole seconds from 0 to 3600, e.g. stop_timeout = 30, "
        "not 9223372036854775807");
    row("deploy env", withLayer("[deploy]\nenv = { \"X=1\" = \"y\" }\n"),
        "slipway.toml:5: [deploy] env name 'X=1' contains '='");
    row("deploy health type", withLayer("[deploy]\nhealth = \"/healthz\"\n"),
        "slipway.toml:5: [deploy] health must be a table, e.g. { path = \"/healthz\", port = 8080 }, not a "
        "string");
    row("health unknown key", withLayer("[deploy]\nhealth = { path = \"/\", port = 80, tiemout = \"5s\" }\n"),
        "slipway.toml:5: [deploy] unknown key 'health.tiemout'");
    row("health unknown key header", withLayer("[deploy.health]\nport = 80\n\nretries = 3\n"),
        "slipway.toml:7: [deploy] unknown key 'health.retries'");
    row("health timeout unit", withLayer("[deploy]\nhealth = { port = 80, timeout = \"30 sec\" }\n"),
        "slipway.toml:5: [deploy] health.timeout must be a duration like \"30s\", \"2m\" or \"500ms\" (or "
        "whole seconds), not \"30 sec\"");
    row("health timeout float", withLayer("[deploy]\nhealth = { port = 80, timeout = 1.5 }\n"),
        "slipway.toml:5: [deploy] health.timeout must be a duration like \"30s\", \"2m\" or \"500ms\" (or "
        "whole seconds), not a float");
    row("health timeout zero", withLayer("[deploy]\nhealth = { port = 80, timeout = \"0s\" }\n"),
        "slipway.toml:5: [deploy] health.timeout must be at least 1 second");
    row("health interval negative", withLayer("[deploy]\nhealth = { port = 80, interval = -1 }\n"),
        "slipway.toml:5: [deploy] health.interval must be a duration like \"30s\", \"2m\" or \"500ms\" (or "
        "whole seconds), not -1");
    row("health timeout too long", withLayer("[deploy]\nhealth = { port = 80, timeout = \"25h\" }\n"),
        "slipway.toml:5: [deploy] health.timeout must be at most 24h");
    row("health port range", withLayer("[deploy]\nhealth = { port = 0 }\n"),
        "slipway.toml:5: [deploy] health.port must be a port from 1 to 65535, not 0");
    row("health path relative", withLayer("[deploy]\nhealth = { path = \"healthz\", port = 80 }\n"),
        "slipway.toml:5: [deploy] health.path \"healthz\" must start with '/'");
    row("health port missing", withLayer("[deploy]\nname = \"x\"\nhealth = { path = \"/healthz\" }\n"),
        "slipway.toml:6: [deploy] health.port is missing (and there are no [deploy] ports or [image] expose "
        "to take "
        "it from)");

    // Container settings
    row("volume relative", withLayer("[deploy]\nvolumes = [\"./data:/data\"]\n"),
        "slipway.toml:5: [deploy] volumes \"./data:/data\": \"./data\" must be a volume name (letters, "
        "digits, "
        "'_', '.', '-') or an absolute path on the target's host");
    row("volume target relative", withLayer("[deploy]\nvolumes = [\"data:var/lib\"]\n"),
        "slipway.toml:5: [deploy] volumes \"data:var/lib\": \"var/lib\" must be an absolute path in the "
        "container, not /");
    row("volume no target", withLayer("[deploy]\nvolumes = [\n  \"data\"\n]\n"),
        "slipway.toml:6: [deploy] volumes \"data\" must be \"NAME:/path\" or \"/host/path:/path\", "
        "optionally "
        "with \":ro\"");
    row("volume dot dot", withLayer("[deploy]\nvolumes = [\"/srv/../etc:/data\"]\n"),
        "slipway.toml:5: [deploy] volumes \"/srv/../etc:/data\": \"/srv/../etc\" must be a volume name "
        "(letters, digits, '_', '.', '-') or an absolute path on the target's host");
    row("volume twice", withLayer("[deploy]\nvolumes = [\"aa:/data\", \"bb:/data\"]\n"),
        "slipway.toml:5: [deploy] volumes \"bb:/data\": /data is mounted twice");
    row("volume name of one letter", withLayer("[deploy]\nvolumes = [\"d:/data\"]\n"),
        "slipway.toml:5: [deploy] volumes \"d:/data\": \"d\" must be a volume name (letters, digits, '_', "
        "'.', "
        "'-') or an absolute path on the target's host");
    row("memory words", withLayer("[deploy]\nmemory = \"lots\"\n"),
        "slipway.toml:5: [deploy] memory must be like \"512m\" or \"2g\", not \"lots\"");
    row("memory too little", withLayer("[deploy]\nmemory = \"1m\"\n"),
        "slipway.toml:5: [deploy] memory must be at least \"6m\" (the engines refuse less)");
    row("memory boolean", withLayer("[deploy]\nmemory = true\n"),
        "slipway.toml:5: [deploy] memory must be like \"512m\" or \"2g\", not a boolean");
    row("replicas zero", withLayer("[deploy]\nreplicas = 0\n"),
        "slipway.toml:5: [deploy] replicas must be a whole number from 1 to 1000, e.g. replicas = 3, not 0");
    row("replicas too many", withLayer("[deploy]\nreplicas = 1001\n"),
        "slipway.toml:5: [deploy] replicas must be a whole number from 1 to 1000, e.g. replicas = 3, not "
        "1001");
    row("replicas text", withLayer("[deploy]\nreplicas = \"3\"\n"),
        "slipway.toml:5: [deploy] replicas must be a whole number from 1 to 1000, e.g. replicas = 3, not "
        "\"3\"");
    row("replicas float", withLayer("[deploy]\nreplicas = 2.5\n"),
        "slipway.toml:5: [deploy] replicas must be a whole number from 1 to 1000, e.g. replicas = 3, not a "
        "float");
    row("cpus zero", withLayer("[deploy]\ncpus = 0\n"),
        "slipway.toml:5: [deploy] cpus must be from 0.01 to 1024, not 0");
    row("cpus text", withLayer("[deploy]\ncpus = \"2\"\n"),
        "slipway.toml:5: [deploy] cpus must be a number of CPUs like 1.5, not a string");
    row("command string", withLayer("[deploy]\ncommand = \"bin/worker --queue mail\"\n"),
        "slipway.toml:5: [deploy] command must be a list of strings, e.g. [\"bin/worker\", \"--queue\", "
        "\"mail\"], not a string");
    row("label reserved", withLayer("[deploy]\nlabels = { \"io.slipway.app\" = \"x\" }\n"),
        "slipway.toml:5: [deploy] labels 'io.slipway.app': io.slipway.* labels are Slipway's own");
    row("extra host", withLayer("[deploy]\nextra_hosts = [\"db 10.0.0.5\"]\n"),
        "slipway.toml:5: [deploy] extra_hosts \"db 10.0.0.5\" must be \"NAME:ADDRESS\", e.g. "
        "\"db.internal:10.0.0.5\"");
    row("log without driver", withLayer("[deploy]\nlog = { options = { max-size = \"1m\" } }\n"),
        "slipway.toml:5: [deploy] log needs a driver, e.g. driver = \"json-file\"");
    row("log unknown key", withLayer("[deploy.log]\ndriver = \"local\"\nrotate = true\n"),
        "slipway.toml:6: [deploy] log unknown key 'rotate' (the keys are driver and options)");
    row("env name", withLayer("[env.Prod]\ntargets = [\"a\"]\n"),
        "slipway.toml:4: [env.Prod]: an environment's name must start with a lower-case letter and hold only "
        "a-z, 0-9 and '-'");
    row("env bad value",
        withLayer("[deploy]\nname = \"web\"\n[env.production]\ntargets = [\"a\"]\nmemory = \"lots\"\n"),
        "slipway.toml:8: [env.production] memory must be like \"512m\" or \"2g\", not \"lots\"");
    row("env unknown key", withLayer("[env.staging]\nautoscale = 3\n"),
        "slipway.toml:5: [env.staging] unknown key 'autoscale'");
    row("env replicas", withLayer("[env.staging]\nreplicas = 0\n"),
        "slipway.toml:5: [env.staging] replicas must be a whole number from 1 to 1000, e.g. replicas = 3, "
        "not 0");
    row("env not tables", QByteArray("env = \"staging\"\n") + minimalLayer,
        "slipway.toml:1: env must be tables, one per environment: write [env.production]");
    row("env targets", withLayer("[env.staging]\ntargets = \"stage\"\n"),
        "slipway.toml:5: [env.staging] targets must be a list of strings, not a string");
    row("secret name", withLayer("[deploy]\nsecrets = [\"DB_PASSWORD\", \"api-key\"]\n"),
        "slipway.toml:5: [deploy] secrets: \"api-key\" is not a valid variable name (A-Z, a-z, 0-9 and '_', "
        "not starting with a digit)");
    row("secret twice", withLayer("[deploy]\nsecrets = [\"KEY\", \"KEY\"]\n"),
        "slipway.toml:5: [deploy] secrets: \"KEY\" is named twice");
    row("secret in env", withLayer("[deploy]\nenv = { KEY = \"x\" }\nsecrets = [\"KEY\"]\n"),
        "slipway.toml:6: [deploy] secrets: \"KEY\" is in env as well: a secret's value comes from the "
        "system keychain (slipway-cli secret set), never from slipway.toml");
    row("secret value", withLayer("[deploy]\nsecrets = { KEY = \"x\" }\n"),
        "slipway.toml:5: [deploy] secrets unknown key 'KEY' (the keys are names and files)");
    row("secret files", withLayer("[deploy.secrets]\nnames = [\"KEY\"]\nfiles = \"yes\"\n"),
        "slipway.toml:6: [deploy] secrets.files must be true or false, not a string");
    row("secret env name", withLayer("[env.production]\ntargets = [\"a\"]\nsecrets = [\"9LIVES\"]\n"),
        "slipway.toml:6: [env.production] secrets: \"9LIVES\" is not a valid variable name (A-Z, a-z, 0-9 "
        "and '_', not starting with a digit)");
    row("port address", withLayer("[deploy]\nports = [\"localhost:8080:80\"]\n"),
        "slipway.toml:5: [deploy] ports: \"localhost:8080:80\" must be \"HOST:CONTAINER\", "
        "\"ADDRESS:HOST:CONTAINER\" or either with /tcp or /udp, with ports from 1 to 65535");

    // [deploy.proxy]
    row("proxy host upper case",
        withLayer("[deploy]\nproxy = { hosts = [\"App.example.com\"], port = 3000 }\n"),
        "slipway.toml:5: [deploy] proxy.hosts \"App.example.com\" must be a host name in lower case, e.g. "
        "\"app.example.com\"");
    row("proxy host twice",
        withLayer("[deploy.proxy]\nhosts = [\"a.example.com\", \"b.example.com\", \"a.example.com\"]\n"
                  "port = 3000\n"),
        "slipway.toml:5: [deploy] proxy.hosts \"a.example.com\" is listed twice");
    // A bad entry of a list written over several lines is named at its own line.
    row("proxy host on its line",
        withLayer("[deploy.proxy]\nhosts = [\n  \"a.example.com\",\n  \"B.example.com\",\n]\nport = 3000\n"),
        "slipway.toml:7: [deploy] proxy.hosts \"B.example.com\" must be a host name in lower case, e.g. "
        "\"app.example.com\"");
    row("proxy hosts empty", withLayer("[deploy]\nproxy = { hosts = [], port = 3000 }\n"),
        "slipway.toml:5: [deploy] proxy.hosts must name at least one host, e.g. hosts = "
        "[\"app.example.com\"]");
    row("proxy port missing",
        withLayer("[deploy]\nname = \"web\"\n[deploy.proxy]\nhosts = [\"app.example.com\"]\n"),
        "slipway.toml:6: [deploy] proxy.port is missing: the port the app listens on inside its container, "
        "e.g. port = 3000");
    row("proxy path_prefix relative",
        withLayer(
            "[deploy]\nproxy = { hosts = [\"app.example.com\"], port = 3000, path_prefix = \"api\" }\n"),
        "slipway.toml:5: [deploy] proxy.path_prefix \"api\" must be a path that starts with '/' and has no "
        "spaces, '?' or '#', e.g. \"/api\"");
    row("proxy tls true",
        withLayer("[deploy]\nproxy = { hosts = [\"app.example.com\"], port = 3000, tls = true }\n"),
        "slipway.toml:5: [deploy] proxy.tls must be false, \"internal\" or { certificate = "
        "\"/etc/ssl/app.pem\", "
        "key = \"/etc/ssl/app.key\" }, not true: name the certificate and key");
    row("proxy tls acme",
        withLayer("[deploy]\nproxy = { hosts = [\"app.example.com\"], port = 3000, tls = \"acme\" }\n"),
        "slipway.toml:5: [deploy] proxy.tls must be false, \"internal\" or { certificate = "
        "\"/etc/ssl/app.pem\", "
        "key = \"/etc/ssl/app.key\" }, not \"acme\" (ACME is not there yet)");
    row("proxy tls without key",
        withLayer("[deploy.proxy]\nhosts = [\"app.example.com\"]\nport = 3000\n"
                  "tls = { certificate = \"/etc/ssl/app.pem\" }\n"),
        "slipway.toml:7: [deploy] proxy.tls needs both certificate and key");
    row("proxy tls relative path",
        withLayer("[deploy]\nproxy = { hosts = [\"app.example.com\"], port = 3000, "
                  "tls = { certificate = \"/etc/ssl/app.pem\", key = \"certs/app.key\" } }\n"),
        "slipway.toml:5: [deploy] proxy.tls.key \"certs/app.key\" must be an absolute path (or start with "
        "~/): a "
        "file of this machine, not of the repository");
    row("proxy unknown key",
        withLayer("[deploy.proxy]\nhosts = [\"app.example.com\"]\nport = 3000\nhost = \"app.example.com\"\n"),
        "slipway.toml:7: [deploy] unknown key 'proxy.host'");
    row("proxy tls unknown key",
        withLayer("[deploy.proxy]\nhosts = [\"app.example.com\"]\nport = 3000\n[deploy.proxy.tls]\n"
                  "certificate = \"/etc/ssl/app.pem\"\nkey = \"/etc/ssl/app.key\"\nchain = "
                  "\"/etc/ssl/chain.pem\"\n"),
        "slipway.toml:10: [deploy] proxy.tls unknown key 'chain' (the keys are certificate and key)");
    row("proxy with ports",
        withLayer(
            "[deploy]\nproxy = { hosts = [\"app.example.com\"], port = 3000 }\nports = [\"80:3000\"]\n"),
        "slipway.toml:6: [deploy] ports cannot go with proxy: an app behind the proxy publishes no port and "
        "joins the proxy's network; remove one of them");
    row("proxy with network",
        withLayer("[deploy]\nnetwork = \"host\"\nproxy = { hosts = [\"app.example.com\"], port = 3000 }\n"),
        "slipway.toml:5: [deploy] network cannot go with proxy: an app behind the proxy publishes no port "
        "and joins the proxy's network; remove one of them");
    row("proxy not a table", withLayer("[deploy]\nproxy = \"app.example.com\"\n"),
        "slipway.toml:5: [deploy] proxy must be a table, e.g. { hosts = [\"app.example.com\"], port = 3000 "
        "}, not a string");
}

// [deploy.proxy], inline or as headers: every key, and the defaults of those left out.
void TestSpec::proxyTlsInternal()
{
    const Result<Spec> spec = parseSpec(
        withLayer("[deploy.proxy]\nhosts = [\"app.example.com\"]\nport = 3000\ntls = \"internal\"\n"));
    QVERIFY2(spec.ok(), qPrintable(spec.ok() ? QString() : spec.error().message));
    QVERIFY(spec->deploy.proxy->tlsInternal);
    QVERIFY(spec->deploy.proxy->tls());
    QVERIFY(spec->deploy.proxy->tlsCertificate.isEmpty());
}

void TestSpec::proxy_data()
{
    QTest::addColumn<QByteArray>("toml");
    QTest::addColumn<QStringList>("hosts");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("pathPrefix");
    QTest::addColumn<QString>("certificate"); // empty: no TLS
    QTest::addColumn<QString>("key");
    QTest::addColumn<int>("drainSeconds");

    const QStringList two{QStringLiteral("app.example.com"), QStringLiteral("www.example-2.com")};
    QTest::newRow("inline")
        << withLayer("[deploy]\nproxy = { hosts = [\"app.example.com\", \"www.example-2.com\"], port = 3000, "
                     "path_prefix = \"/api\", tls = { certificate = \"/etc/ssl/app.pem\", key = "
                     "\"~/keys/app.key\" }, "
                     "drain_timeout = \"1m30s\" }\n")
        << two << 3000 << QStringLiteral("/api") << QStringLiteral("/etc/ssl/app.pem")
        << QStringLiteral("~/keys/app.key") << 90;
    QTest::newRow("headers")
        << withLayer("[deploy]\nname = \"web\"\n"
                     "[deploy.proxy]\nhosts = [\"app.example.com\", \"www.example-2.com\"]\nport = 3000\n"
                     "path_prefix = \"/api\"\ndrain_timeout = \"1m30s\"\n"
                     "[deploy.proxy.tls]\ncertificate = \"/etc/ssl/app.pem\"\nkey = \"~/keys/app.key\"\n")
        << two << 3000 << QStringLiteral("/api") << QStringLiteral("/etc/ssl/app.pem")
        << QStringLiteral("~/keys/app.key") << 90;
    QTest::newRow("defaults") << withLayer("[deploy.proxy]\nhosts = [\"app.example.com\"]\nport = 8080\n")
                              << QStringList{QStringLiteral("app.example.com")} << 8080 << QString()
                              << QString() << QString() << 30;
    QTest::newRow("tls false, drain in seconds")
        << withLayer("[deploy.proxy]\nhosts = [\"app.example.com\"]\nport = 8080\ntls = false\n"
                     "drain_timeout = 5\n")
        << QStringList{QStringLiteral("app.example.com")} << 8080 << QString() << QString() << QString() << 5;
    QTest::newRow("path_prefix trailing slash dropped")
        << withLayer(
               "[deploy.proxy]\nhosts = [\"app.example.com\"]\nport = 8080\npath_prefix = \"/api/v2/\"\n")
        << QStringList{QStringLiteral("app.example.com")} << 8080 << QStringLiteral("/api/v2") << QString()
        << QString() << 30;
    QTest::newRow("path_prefix / is none")
        << withLayer("[deploy.proxy]\nhosts = [\"app.example.com\"]\nport = 8080\npath_prefix = \"/\"\n")
        << QStringList{QStringLiteral("app.example.com")} << 8080 << QString() << QString() << QString()
        << 30;
}

void TestSpec::proxy()
{
    QFETCH(QByteArray, toml);
    QFETCH(QStringList, hosts);
    QFETCH(int, port);
    QFETCH(QString, pathPrefix);
    QFETCH(QString, certificate);
    QFETCH(QString, key);
    QFETCH(int, drainSeconds);

    const Result<Spec> spec = parseSpec(toml);
    QVERIFY2(spec.ok(), qPrintable(spec.ok() ? QString() : spec.error().message));
    QVERIFY(spec->deploy.proxy.has_value());
    const ProxySpec &proxy = *spec->deploy.proxy;
    QCOMPARE(proxy.hosts, hosts);
    QCOMPARE(proxy.port, port);
    QCOMPARE(proxy.pathPrefix, pathPrefix);
    QCOMPARE(proxy.tlsCertificate, certificate);
    QCOMPARE(proxy.tlsKey, key);
    QCOMPARE(proxy.tls(), !certificate.isEmpty());
    QCOMPARE(proxy.drainSeconds, drainSeconds);
    // Behind the proxy the app publishes nothing of its own.
    QVERIFY(spec->deploy.ports.isEmpty());
    QCOMPARE(spec->deploy.network, QString());
}

// [env.NAME]: targets, and [deploy] with the environment's keys over it (a key replaces the
// [deploy] one whole: a map is not merged).
// No [[layers]]: a Dockerfile build, [build] saying which file, stage, args and engine.
void TestSpec::dockerfileBuild()
{
    auto bare = parseSpec(QByteArray());
    QVERIFY(bare);
    QVERIFY(bare->layers.isEmpty());
    QCOMPARE(bare->build.dockerfile, QStringLiteral("Dockerfile"));
    QVERIFY(bare->build.target.isEmpty() && bare->build.args.isEmpty() && bare->build.engine.isEmpty());

    auto spec = parseSpec("[build]\ndockerfile = \"docker/Dockerfile.prod\"\ntarget = \"runtime\"\n"
                          "engine = \"builder\"\nargs = { NODE_VERSION = \"20\" }\n"
                          "[deploy]\nports = [\"8080:8080\"]\n");
    QVERIFY2(spec, qPrintable(spec ? QString() : spec.error().message));
    QVERIFY(spec->layers.isEmpty());
    QCOMPARE(spec->build.dockerfile, QStringLiteral("docker/Dockerfile.prod"));
    QCOMPARE(spec->build.target, QStringLiteral("runtime"));
    QCOMPARE(spec->build.engine, QStringLiteral("builder"));
    QCOMPARE(spec->build.args.value(QStringLiteral("NODE_VERSION")), QStringLiteral("20"));
    QCOMPARE(spec->deploy.ports, QStringList{QStringLiteral("8080:8080")});
}

void TestSpec::environments()
{
    const Result<Spec> spec = parseSpec(withLayer("[env.production]\n" // before [deploy]: read after it
                                                  "targets = [\"web1\", \"web2\"]\n"
                                                  "memory = \"1g\"\n"
                                                  "env = { LOG = \"warn\" }\n"
                                                  "[deploy]\n"
                                                  "name = \"web\"\n"
                                                  "memory = \"256m\"\n"
                                                  "env = { LOG = \"info\", PORT = \"80\" }\n"
                                                  "[env.staging]\n"
                                                  "targets = [\"stage\"]\n"
                                                  "name = \"web-stage\"\n"));
    QVERIFY2(spec.ok(), spec.ok() ? "" : qPrintable(spec.error().message));
    QCOMPARE(spec->deploy.memoryBytes, qint64(256) * 1024 * 1024);
    QCOMPARE(spec->environments.size(), 2);
    const EnvironmentSpec &production = spec->environments.at(0);
    QCOMPARE(production.name, QStringLiteral("production"));
    QCOMPARE(production.targets, (QStringList{QStringLiteral("web1"), QStringLiteral("web2")}));
    QCOMPARE(production.deploy.memoryBytes, qint64(1024) * 1024 * 1024);
    QCOMPARE(production.deploy.env,
             (QMap<QString, QString>{{QStringLiteral("LOG"), QStringLiteral("warn")}}));
    QCOMPARE(production.deploy.name, QStringLiteral("web"));
    QVERIFY(!production.namesApp);
    const EnvironmentSpec &staging = spec->environments.at(1);
    QCOMPARE(staging.deploy.name, QStringLiteral("web-stage"));
    QVERIFY(staging.namesApp);
    QCOMPARE(staging.deploy.memoryBytes, qint64(256) * 1024 * 1024);
    QCOMPARE(staging.deploy.env.value(QStringLiteral("PORT")), QStringLiteral("80"));

    // A health port [deploy] leaves out is each table's own first published port.
    const Result<Spec> ports =
        parseSpec(withLayer("[deploy]\nports = [\"8080:80\"]\nhealth = { path = \"/h\" }\n"
                            "[env.other]\nports = [\"9090:90\"]\n"));
    QVERIFY2(ports.ok(), ports.ok() ? "" : qPrintable(ports.error().message));
    QCOMPARE(ports->deploy.health->port, 80);
    QCOMPARE(ports->environments.constFirst().deploy.health->port, 90);

    // An environment's proxy table goes over [deploy]'s key by key: staging answers to its own
    // host and keeps the port, TLS and drain time; without a proxy table it keeps [deploy]'s.
    const Result<Spec> proxied = parseSpec(
        withLayer("[deploy]\nhealth = { path = \"/up\" }\n"
                  "[deploy.proxy]\nhosts = [\"app.example.com\"]\nport = 3000\ndrain_timeout = \"10s\"\n"
                  "tls = { certificate = \"/srv/tls/app.pem\", key = \"/srv/tls/app.key\" }\n"
                  "[env.staging]\nproxy = { hosts = [\"staging.example.com\"] }\n"
                  "[env.production]\ntargets = [\"web1\"]\n"));
    QVERIFY2(proxied.ok(), proxied.ok() ? "" : qPrintable(proxied.error().message));
    QCOMPARE(proxied->deploy.proxy->hosts, QStringList{QStringLiteral("app.example.com")});
    QCOMPARE(proxied->environments.size(), 2); // by name: production, staging
    const DeploySpec &stagingProxied = proxied->environments.at(1).deploy;
    QVERIFY(stagingProxied.proxy.has_value());
    QCOMPARE(stagingProxied.proxy->hosts, QStringList{QStringLiteral("staging.example.com")});
    QCOMPARE(stagingProxied.proxy->port, 3000);
    QCOMPARE(stagingProxied.proxy->drainSeconds, 10);
    QCOMPARE(stagingProxied.proxy->tlsCertificate, QStringLiteral("/srv/tls/app.pem"));
    QCOMPARE(stagingProxied.proxy->tlsKey, QStringLiteral("/srv/tls/app.key"));
    QCOMPARE(stagingProxied.health->port, 3000);
    const DeploySpec &productionProxied = proxied->environments.at(0).deploy;
    QCOMPARE(productionProxied.proxy->hosts, QStringList{QStringLiteral("app.example.com")});

    // Its own proxy port moves the health check with it; tls = false turns HTTPS off.
    const Result<Spec> moved =
        parseSpec(withLayer("[deploy]\nhealth = { path = \"/up\" }\n"
                            "proxy = { hosts = [\"app.example.com\"], port = 3000, "
                            "tls = { certificate = \"/srv/tls/app.pem\", key = \"/srv/tls/app.key\" } }\n"
                            "[env.staging]\nproxy = { port = 4000, tls = false }\n"));
    QVERIFY2(moved.ok(), moved.ok() ? "" : qPrintable(moved.error().message));
    QCOMPARE(moved->deploy.health->port, 3000);
    const DeploySpec &movedStaging = moved->environments.constFirst().deploy;
    QCOMPARE(movedStaging.proxy->port, 4000);
    QCOMPARE(movedStaging.health->port, 4000);
    QVERIFY(!movedStaging.proxy->tls());
    QCOMPARE(movedStaging.proxy->hosts, QStringList{QStringLiteral("app.example.com")});
}

// The container settings of [deploy]: volumes, limits, command, labels, hosts, log, and ports
// bound to an address.
void TestSpec::containerSettings()
{
    const Result<Spec> spec = parseSpec(
        withLayer("[deploy]\n"
                  "ports = [\"127.0.0.1:8080:80\", \"[::1]:8443:443/tcp\", \"9000:9000\"]\n"
                  "volumes = [\"data:/var/lib/app\", \"/srv/uploads:/app/uploads:ro\", \"cache:/cache:rw\"]\n"
                  "memory = \"512m\"\n"
                  "cpus = 1.5\n"
                  "command = [\"bin/worker\", \"--queue\", \"mail\"]\n"
                  "labels = { team = \"web\" }\n"
                  "extra_hosts = [\"db.internal:10.0.0.5\", \"host.internal:host-gateway\"]\n"
                  "log = { driver = \"local\", options = { max-size = \"50m\" } }\n"));
    QVERIFY2(spec.ok(), spec.ok() ? "" : qPrintable(spec.error().message));
    const DeploySpec &deploy = spec->deploy;
    QCOMPARE(deploy.ports.size(), 3);
    QCOMPARE(deploy.volumes.size(), 3);
    QCOMPARE(deploy.volumes.at(0),
             (VolumeSpec{QStringLiteral("data"), QStringLiteral("/var/lib/app"), false}));
    QVERIFY(!deploy.volumes.at(0).isBind());
    QCOMPARE(deploy.volumes.at(1),
             (VolumeSpec{QStringLiteral("/srv/uploads"), QStringLiteral("/app/uploads"), true}));
    QVERIFY(deploy.volumes.at(1).isBind());
    QCOMPARE(deploy.volumes.at(1).text(), QStringLiteral("/srv/uploads:/app/uploads:ro"));
    QVERIFY(!deploy.volumes.at(2).readOnly);
    QCOMPARE(deploy.memoryBytes, qint64(512) * 1024 * 1024);
    QCOMPARE(deploy.cpus, 1.5);
    QCOMPARE(deploy.command,
             (QStringList{QStringLiteral("bin/worker"), QStringLiteral("--queue"), QStringLiteral("mail")}));
    QCOMPARE(deploy.labels.value(QStringLiteral("team")), QStringLiteral("web"));
    QCOMPARE(deploy.extraHosts.size(), 2);
    QCOMPARE(deploy.log.driver, QStringLiteral("local"));
    QCOMPARE(deploy.log.options,
             (QMap<QString, QString>{{QStringLiteral("max-size"), QStringLiteral("50m")}}));

    // Secrets: names only, as variables or as files; an environment can name its own.
    const Result<Spec> secrets =
        parseSpec(withLayer("[deploy]\nsecrets = [\"DB_PASSWORD\", \"API_KEY\"]\n"
                            "[env.production]\nsecrets = { names = [\"DB_PASSWORD\"], files = true }\n"));
    QVERIFY2(secrets.ok(), secrets.ok() ? "" : qPrintable(secrets.error().message));
    QCOMPARE(secrets->deploy.secrets,
             (QStringList{QStringLiteral("DB_PASSWORD"), QStringLiteral("API_KEY")}));
    QVERIFY(!secrets->deploy.secretFiles);
    QCOMPARE(secrets->environments.constFirst().deploy.secrets, QStringList{QStringLiteral("DB_PASSWORD")});
    QVERIFY(secrets->environments.constFirst().deploy.secretFiles);

    // Without them: no limits, the image's command, and a json-file log the engine rotates.
    const Result<Spec> plain = parseSpec(withLayer("[deploy]\nmemory = 1073741824\n"));
    QVERIFY2(plain.ok(), plain.ok() ? "" : qPrintable(plain.error().message));
    QCOMPARE(plain->deploy.memoryBytes, qint64(1073741824));
    QCOMPARE(plain->deploy.cpus, 0.0);
    QVERIFY(plain->deploy.volumes.isEmpty() && plain->deploy.command.isEmpty());
    QCOMPARE(plain->deploy.log, LogSpec());
    QCOMPARE(plain->deploy.log.options.value(QStringLiteral("max-size")), QStringLiteral("10m"));
}

void TestSpec::badInput()
{
    QFETCH(QByteArray, toml);
    QFETCH(QString, message);

    const Result<Spec> spec = parseSpec(toml);
    QVERIFY(!spec.ok());
    QCOMPARE(spec.error().kind, Error::Kind::BadInput);
    QCOMPARE(spec.error().message, message);
    QVERIFY(!spec.error().message.contains(u'\n'));
}

void TestSpec::customFileName()
{
    const Result<Spec> bad = parseSpec(withLayer("[image]\nbase = 3\n"), QStringLiteral("app/slipway.toml"));
    QVERIFY(!bad.ok());
    QCOMPARE(bad.error().message,
             QStringLiteral("app/slipway.toml:5: [image] base must be a string, not an integer"));

    const Result<Spec> syntax = parseSpec(QByteArray("[image\n"), QStringLiteral("x.toml"));
    QVERIFY(!syntax.ok());
    QVERIFY2(syntax.error().message.startsWith(QLatin1String("x.toml:1:")),
             qPrintable(syntax.error().message));
}

void TestSpec::assigns_data()
{
    QTest::addColumn<QByteArray>("toml");
    QTest::addColumn<QStringList>("files");
    QTest::addColumn<QStringList>("expected"); // per layer: paths joined with ','

    const QStringList repo = split("Makefile README.md cmd/main.go go.mod vendor/a/a.go vendor/b/b.go "
                                   "vendor/b/b_test.go web/app.js web/index.html");

    QTest::newRow("design example")
        << QByteArray("[[layers]]\nname = \"deps\"\ninclude = [\"vendor/**\"]\n"
                      "[[layers]]\nname = \"app\"\ninclude = [\"**\"]\n")
        << repo
        << QStringList{QStringLiteral("vendor/a/a.go,vendor/b/b.go,vendor/b/b_test.go"),
                       QStringLiteral("Makefile,README.md,cmd/main.go,go.mod,web/app.js,web/index.html")};
    QTest::newRow("exclude leaves files to later layers")
        << QByteArray("[[layers]]\nname = \"deps\"\ninclude = [\"vendor/**\"]\nexclude = [\"**/*_test.go\"]\n"
                      "[[layers]]\nname = \"app\"\ninclude = [\"**\"]\n")
        << repo
        << QStringList{QStringLiteral("vendor/a/a.go,vendor/b/b.go"),
                       QStringLiteral("Makefile,README.md,cmd/main.go,go.mod,vendor/b/b_test.go,web/app.js,"
                                      "web/index.html")};
    QTest::newRow("files no layer takes are left out")
        << QByteArray(
               "[[layers]]\nname = \"web\"\ninclude = [\"web/*\"]\n"
               "[[layers]]\nname = \"go\"\ninclude = [\"**/*.go\", \"go.mod\"]\nexclude = [\"vendor/**\"]\n")
        << repo
        << QStringList{QStringLiteral("web/app.js,web/index.html"), QStringLiteral("cmd/main.go,go.mod")};
    QTest::newRow("first layer wins")
        << QByteArray("[[layers]]\nname = \"js\"\ninclude = [\"**/*.js\"]\n"
                      "[[layers]]\nname = \"web\"\ninclude = [\"web/**\"]\n"
                      "[[layers]]\nname = \"b\"\ninclude = [\"vendor/b/**\"]\n"
                      "[[layers]]\nname = \"vendor\"\ninclude = [\"/vendor/**\"]\n")
        << repo
        << QStringList{QStringLiteral("web/app.js"), QStringLiteral("web/index.html"),
                       QStringLiteral("vendor/b/b.go,vendor/b/b_test.go"), QStringLiteral("vendor/a/a.go")};
    QTest::newRow("keeps the order of files")
        << QByteArray("[[layers]]\nname = \"all\"\ninclude = [\"**\"]\n") << split("z b/c a y/x")
        << QStringList{QStringLiteral("z,b/c,a,y/x")};
    QTest::newRow("exact path") << QByteArray("[[layers]]\nname = \"mk\"\ninclude = [\"./Makefile\"]\n")
                                << repo << QStringList{QStringLiteral("Makefile")};
}

void TestSpec::assigns()
{
    QFETCH(QByteArray, toml);
    QFETCH(QStringList, files);
    QFETCH(QStringList, expected);

    const Result<Spec> spec = parseSpec(toml);
    QVERIFY2(spec.ok(), qPrintable(spec.ok() ? QString() : spec.error().message));
    QList<SourceFile> sourceFiles;
    for (const QString &path : std::as_const(files))
        sourceFiles << file(path.toUtf8().constData());
    const Result<QList<QList<SourceFile>>> layers = assignFiles(*spec, sourceFiles);
    QVERIFY2(layers.ok(), qPrintable(layers.ok() ? QString() : layers.error().message));
    QStringList actual;
    for (const QList<SourceFile> &layer : layers.value())
        actual << paths(layer).join(u',');
    QCOMPARE(actual, expected);
}

void TestSpec::layerTakingNothing_data()
{
    QTest::addColumn<QByteArray>("toml");
    QTest::addColumn<QString>("message");

    QTest::newRow("no match") << QByteArray("[[layers]]\nname = \"deps\"\ninclude = [\"vendor/**\"]\n"
                                            "[[layers]]\nname = \"app\"\ninclude = [\"**\"]\n")
                              << QStringLiteral(
                                     "slipway.toml: layer 'deps' takes no file (include = [\"vendor/**\"])");
    QTest::newRow("everything taken below")
        << QByteArray("[[layers]]\nname = \"app\"\ninclude = [\"**\"]\n"
                      "[[layers]]\nname = \"src\"\ninclude = [\"src/**\", \"*.c\"]\nexclude = [\"x\"]\n")
        << QStringLiteral(
               "slipway.toml: layer 'src' takes no file (include = [\"src/**\", \"*.c\"], exclude = "
               "[\"x\"])");
    QTest::newRow("all excluded")
        << QByteArray("[[layers]]\nname = \"md\"\ninclude = [\"*.md\"]\nexclude = [\"README.md\"]\n"
                      "[[layers]]\nname = \"app\"\ninclude = [\"**\"]\n")
        << QStringLiteral(
               "slipway.toml: layer 'md' takes no file (include = [\"*.md\"], exclude = [\"README.md\"])");
}

void TestSpec::layerTakingNothing()
{
    QFETCH(QByteArray, toml);
    QFETCH(QString, message);

    const Result<Spec> spec = parseSpec(toml);
    QVERIFY2(spec.ok(), qPrintable(spec.ok() ? QString() : spec.error().message));
    const QList<SourceFile> files{file("README.md"), file("main.c"), file("src/a.c")};
    const Result<QList<QList<SourceFile>>> layers = assignFiles(*spec, files);
    QVERIFY(!layers.ok());
    QCOMPARE(layers.error().kind, Error::Kind::BadInput);
    QCOMPARE(layers.error().message, message);
}

// 15,000 files over 2,000 layers: one layer per package directory, a few layers with
// wildcard first segments, and "**" on top.
void TestSpec::assignsManyFilesToManyLayers()
{
    QList<SourceFile> files;
    for (int i = 0; i < 15000; ++i) {
        files << file(QStringLiteral("pkg%1/src/sub%2/file%3.go")
                          .arg(i % 1997, 4, 10, QLatin1Char('0'))
                          .arg(i % 7)
                          .arg(i)
                          .toUtf8()
                          .constData());
    }
    std::sort(files.begin(), files.end(),
              [](const SourceFile &a, const SourceFile &b) { return a.path < b.path; });

    Spec spec;
    for (int i = 0; i < 1997; ++i) {
        LayerSpec layer;
        layer.name = QStringLiteral("pkg%1").arg(i);
        layer.include << QStringLiteral("pkg%1/**").arg(i, 4, 10, QLatin1Char('0'));
        layer.exclude << QStringLiteral("**/sub0/**");
        spec.layers << layer;
    }
    LayerSpec sub0;
    sub0.name = QStringLiteral("sub0");
    sub0.include << QStringLiteral("*/src/sub0/*");
    spec.layers.insert(1000, sub0);
    LayerSpec tests;
    tests.name = QStringLiteral("none-left");
    tests.include << QStringLiteral("**/sub0/**");
    LayerSpec rest;
    rest.name = QStringLiteral("rest");
    rest.include << QStringLiteral("**");
    spec.layers << tests << rest;

    QElapsedTimer timer;
    timer.start();
    const Result<QList<QList<SourceFile>>> layers = assignFiles(spec, files);
    qInfo("15,000 files over %lld layers in %lld ms", qint64(spec.layers.size()), timer.elapsed());
    // sub0 files of packages below layer 1000 ... all go to "sub0"; "none-left" and "rest" get nothing.
    QVERIFY(!layers.ok());
    QCOMPARE(layers.error().message,
             QStringLiteral("slipway.toml: layer 'none-left' takes no file (include = [\"**/sub0/**\"])"));

    spec.layers.removeAt(spec.layers.size() - 2);
    spec.layers.back().include = QStringList{QStringLiteral("**")};
    // Give "rest" something: a top-level file.
    files.prepend(file("README.md"));
    timer.restart();
    const Result<QList<QList<SourceFile>>> ok = assignFiles(spec, files);
    QVERIFY2(ok.ok(), qPrintable(ok.ok() ? QString() : ok.error().message));
    qInfo("again in %lld ms", timer.elapsed());
    qsizetype total = 0;
    for (const QList<SourceFile> &layer : ok.value())
        total += layer.size();
    QCOMPARE(total, files.size());
    QCOMPARE(ok->at(1000).size(), 15000 / 7 + 1); // i % 7 == 0: 2143 files
    QCOMPARE(ok->back().size(), 1);
    QCOMPARE(ok->back().front().path, QStringLiteral("README.md"));
    QCOMPARE(ok->at(0).front().path, QStringLiteral("pkg0000/src/sub1/file7988.go"));
}

QTEST_GUILESS_MAIN(TestSpec)
#include "tst_spec.moc"
