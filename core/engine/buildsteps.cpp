#include "engine/buildsteps.h"

#include <QRegularExpression>

namespace slipway {

const char *BuildSteps::stateName(Step::State state)
{
    switch (state) {
    case Step::State::Queued:
        return "queued";
    case Step::State::Running:
        return "running";
    case Step::State::Cached:
        return "cached";
    case Step::State::Done:
        return "done";
    case Step::State::Failed:
        return "failed";
    }
    return "running";
}

void BuildSteps::add(const QString &text)
{
    m_pending += text;
    qsizetype newline;
    while ((newline = m_pending.indexOf(u'\n')) >= 0) {
        line(m_pending.left(newline));
        m_pending.remove(0, newline + 1);
    }
}

void BuildSteps::finish(bool failed)
{
    if (!m_pending.isEmpty()) {
        line(m_pending);
        m_pending.clear();
    }
    for (auto it = m_logTails.cbegin(); it != m_logTails.cend(); ++it)
        if (!it.value().isEmpty() && onLine)
            onLine(m_vertexSteps.value(it.key(), -1), QString::fromUtf8(it.value()));
    m_logTails.clear();
    for (int index = 0; index < m_steps.size(); ++index)
        if (m_steps.at(index).state == Step::State::Running)
            setState(index, failed ? Step::State::Failed : Step::State::Done);
}

void BuildSteps::setState(Step::State state)
{
    setState(int(m_steps.size() - 1), state);
}

namespace {

bool ended(BuildSteps::Step::State state)
{
    return state == BuildSteps::Step::State::Cached || state == BuildSteps::Step::State::Done ||
           state == BuildSteps::Step::State::Failed;
}

} // namespace

void BuildSteps::setState(int index, Step::State state, qint64 elapsedMs)
{
    Step &step = m_steps[index];
    if (step.state == state)
        return;
    step.state = state;
    if (state == Step::State::Running)
        m_startedAt[index] = m_clock.elapsed();
    if (ended(state))
        step.elapsedMs = elapsedMs >= 0 ? elapsedMs : m_clock.elapsed() - m_startedAt.at(index);
    if (onStep)
        onStep(step);
}

void BuildSteps::append(Step step, qint64 elapsedMs)
{
    if (!m_clock.isValid())
        m_clock.start();
    m_startedAt.append(m_clock.elapsed());
    if (ended(step.state))
        step.elapsedMs = qMax<qint64>(elapsedMs, 0);
    m_steps.append(step);
    if (onStep)
        onStep(m_steps.constLast());
}

namespace {

// Just enough of the protobuf wire format for BuildKit's StatusResponse: varints and
// length-delimited fields; fixed-size ones are skipped.
class Wire
{
public:
    explicit Wire(QByteArrayView bytes)
        : m_bytes(bytes)
    {}

    bool atEnd() const { return m_at >= m_bytes.size(); }
    bool ok() const { return m_ok; }

    // The next field's number and wire type; false at the end or on malformed input.
    bool next(int &field, int &type)
    {
        if (atEnd())
            return false;
        const quint64 key = varint();
        field = int(key >> 3);
        type = int(key & 7);
        return m_ok;
    }
    quint64 varint()
    {
        quint64 value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (atEnd())
                break;
            const auto byte = quint8(m_bytes[m_at++]);
            value |= quint64(byte & 0x7f) << shift;
            if (!(byte & 0x80))
                return value;
        }
        m_ok = false;
        return 0;
    }
    QByteArrayView bytes()
    {
        const quint64 size = varint();
        if (!m_ok || size > quint64(m_bytes.size() - m_at)) {
            m_ok = false;
            return {};
        }
        const QByteArrayView view = m_bytes.sliced(m_at, qsizetype(size));
        m_at += qsizetype(size);
        return view;
    }
    void skip(int type)
    {
        switch (type) {
        case 0:
            varint();
            break;
        case 1:
            m_at += 8;
            break;
        case 2:
            bytes();
            break;
        case 5:
            m_at += 4;
            break;
        default:
            m_ok = false;
        }
        if (m_at > m_bytes.size())
            m_ok = false;
    }

private:
    QByteArrayView m_bytes;
    qsizetype m_at = 0;
    bool m_ok = true;
};

struct Vertex
{
    QByteArray digest;
    QString name;
    bool cached = false;
    bool started = false;
    bool completed = false;
    qint64 startedMs = 0; // since the epoch, by the engine's clock
    qint64 completedMs = 0;
    QString error;

    // Its time by the engine's clock once it completed; -1 before.
    qint64 elapsedMs() const { return started && completed ? qMax<qint64>(completedMs - startedMs, 0) : -1; }
};

// A google.protobuf.Timestamp (1 seconds, 2 nanos) in milliseconds since the epoch.
qint64 timestampMs(QByteArrayView bytes)
{
    Wire message(bytes);
    qint64 seconds = 0;
    qint64 nanos = 0;
    int field = 0;
    int type = 0;
    while (message.next(field, type)) {
        if (field == 1 && type == 0)
            seconds = qint64(message.varint());
        else if (field == 2 && type == 0)
            nanos = qint64(message.varint());
        else
            message.skip(type);
    }
    return seconds * 1000 + nanos / 1000000;
}

struct VertexLog
{
    QByteArray vertex;
    QByteArray message;
};

} // namespace

bool BuildSteps::addTrace(const QByteArray &statusResponse)
{
    // StatusResponse: 1 vertexes (Vertex), 3 logs (VertexLog). Vertex: 1 digest, 3 name,
    // 4 cached, 5 started, 6 completed (Timestamps: present once set), 7 error. VertexLog:
    // 1 vertex, 4 msg.
    QList<Vertex> vertexes;
    QList<VertexLog> logs;
    Wire response(statusResponse);
    int field = 0;
    int type = 0;
    while (response.next(field, type)) {
        if (field == 1 && type == 2) {
            Wire message(response.bytes());
            Vertex vertex;
            while (message.next(field, type)) {
                if (field == 1 && type == 2)
                    vertex.digest = message.bytes().toByteArray();
                else if (field == 3 && type == 2)
                    vertex.name = QString::fromUtf8(message.bytes());
                else if (field == 4 && type == 0)
                    vertex.cached = message.varint() != 0;
                else if (field == 5 && type == 2) { // a Timestamp: there once the vertex started
                    vertex.startedMs = timestampMs(message.bytes());
                    vertex.started = true;
                } else if (field == 6 && type == 2) {
                    vertex.completedMs = timestampMs(message.bytes());
                    vertex.completed = true;
                } else if (field == 7 && type == 2)
                    vertex.error = QString::fromUtf8(message.bytes());
                else
                    message.skip(type);
            }
            if (!message.ok())
                return false;
            vertexes.append(vertex);
        } else if (field == 3 && type == 2) {
            Wire message(response.bytes());
            VertexLog log;
            while (message.next(field, type)) {
                if (field == 1 && type == 2)
                    log.vertex = message.bytes().toByteArray();
                else if (field == 4 && type == 2)
                    log.message = message.bytes().toByteArray();
                else
                    message.skip(type);
            }
            if (!message.ok())
                return false;
            logs.append(log);
        } else {
            response.skip(type);
        }
    }
    if (!response.ok())
        return false;

    // "[build 2/5] RUN make", "[stage-1 1/2] FROM ...", "[2/3] RUN ...", or a name of BuildKit's
    // own ("exporting to image"); "[internal] ..." is left out.
    static const QRegularExpression named(QStringLiteral(R"(^\[(?:(\S+) )?(\d+/\d+)\] (.*)$)"));
    for (const Vertex &vertex : std::as_const(vertexes)) {
        if (vertex.digest.isEmpty() || vertex.name.startsWith(QStringLiteral("[internal]")))
            continue;
        const Step::State state = !vertex.error.isEmpty() ? Step::State::Failed
                                  : vertex.cached         ? Step::State::Cached
                                  : vertex.completed      ? Step::State::Done
                                  : vertex.started        ? Step::State::Running
                                                          : Step::State::Queued;
        auto known = m_vertexSteps.constFind(vertex.digest);
        if (known == m_vertexSteps.cend()) {
            Step step{.index = int(m_steps.size()),
                      .stage = {},
                      .number = {},
                      .instruction = vertex.name,
                      .state = state,
                      .elapsedMs = 0};
            if (const auto match = named.match(vertex.name); match.hasMatch()) {
                step.stage = match.captured(1);
                step.number = match.captured(2);
                step.instruction = match.captured(3).trimmed();
            }
            m_vertexSteps.insert(vertex.digest, step.index);
            append(step, vertex.elapsedMs());
        } else if (m_steps.at(known.value()).state != Step::State::Cached || state == Step::State::Failed) {
            setState(known.value(), state, vertex.elapsedMs());
        }
    }
    for (const VertexLog &log : std::as_const(logs)) {
        QByteArray &tail = m_logTails[log.vertex];
        tail += log.message;
        qsizetype newline;
        while ((newline = tail.indexOf('\n')) >= 0) {
            const QString text = QString::fromUtf8(tail.left(newline)).remove(u'\r');
            tail.remove(0, newline + 1);
            if (onLine && !text.trimmed().isEmpty())
                onLine(m_vertexSteps.value(log.vertex, -1), text);
        }
    }
    return true;
}

void BuildSteps::line(const QString &raw)
{
    // Docker colours a RUN's stderr (ESC[91m ... ESC[0m): the log has no use for the codes.
    static const QRegularExpression colour(QStringLiteral("\x1b\\[[0-9;]*m"));
    QString text = raw;
    text.remove(colour);
    if (text.endsWith(u'\r'))
        text.chop(1);
    // Docker: "Step 2/5 : RUN make"; buildah: "STEP 2/5: RUN make", "[1/2] STEP 2/5: RUN make".
    static const QRegularExpression start(
        QStringLiteral(R"(^(?:\[(\d+/\d+)\] )?(?:Step|STEP) (\d+/\d+) ?: ?(.*)$)"));
    static const QRegularExpression cache(QStringLiteral(R"(^\s*-+> Using cache\b)"));
    if (const auto match = start.match(text); match.hasMatch()) {
        if (!m_steps.isEmpty() && m_steps.constLast().state == Step::State::Running)
            setState(Step::State::Done);
        append(Step{.index = int(m_steps.size()),
                    .stage = match.captured(1),
                    .number = match.captured(2),
                    .instruction = match.captured(3).trimmed(),
                    .state = Step::State::Running,
                    .elapsedMs = 0});
        return;
    }
    if (!m_steps.isEmpty() && cache.match(text).hasMatch() &&
        m_steps.constLast().state == Step::State::Running)
        setState(Step::State::Cached);
    if (onLine && !text.trimmed().isEmpty())
        onLine(m_steps.isEmpty() ? -1 : int(m_steps.size() - 1), text);
}

} // namespace slipway
