pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Slipway.Ui

// The live log: monospace lines with their time and level (levels coloured), a text filter, a
// minimum level, a follow toggle, and row selection (click, Shift+click) copied with Ctrl+C.
ColumnLayout {
    id: log

    required property LogFilterModel model
    // What the list shows: model, or the unfiltered log while no filter is set.
    required property var viewModel
    // Returns the text of rows first..last of viewModel.
    required property var textOfRows
    property alias follow: followBox.checked
    property int selectionStart: -1
    property int selectionEnd: -1
    readonly property int selectionFirst: Math.min(selectionStart, selectionEnd)
    readonly property int selectionLast: Math.max(selectionStart, selectionEnd)

    // The rows' font and columns, measured once.
    readonly property font monoFont: Qt.font({ family: Theme.monospace })
    readonly property int rowHeight: Math.ceil(monoMetrics.height) + 2
    readonly property int timeX: 6
    readonly property int timeWidth: Math.ceil(monoMetrics.advanceWidth("00:00:00.000"))
    readonly property int levelX: timeX + timeWidth + 10
    readonly property int stageX: levelX + 60 + 10
    // A column with each line's target, for logs followed on several targets at once.
    property bool showTarget: false
    readonly property int targetX: stageX + 44 + 10
    readonly property int targetWidth: showTarget ? Math.ceil(monoMetrics.advanceWidth("target-name-xx")) : 0
    readonly property int textX: showTarget ? targetX + targetWidth + 10 : stageX + 44 + 10
    // The time, stage and target columns are dimmed by their colour's alpha, not by an opacity
    // (which would be a node of its own in every row to render).
    readonly property color dimText: Qt.rgba(palette.text.r, palette.text.g, palette.text.b, 0.6)
    readonly property color dimHighlightedText: Qt.rgba(palette.highlightedText.r, palette.highlightedText.g,
                                                        palette.highlightedText.b, 0.6)

    FontMetrics {
        id: monoMetrics

        font: log.monoFont
    }

    function focusFilter() {
        filterField.forceActiveFocus()
        filterField.selectAll()
    }

    function copySelection() {
        if (selectionFirst < 0)
            return
        clipboardHelper.text = textOfRows(selectionFirst, selectionLast)
        clipboardHelper.selectAll()
        clipboardHelper.copy()
        clipboardHelper.text = ""
    }

    spacing: 6

    RowLayout {
        Layout.fillWidth: true
        spacing: 8

        Label {
            text: qsTr("Log")
            font.bold: true
        }
        TextField {
            id: filterField

            objectName: "logFilterField"
            Accessible.name: qsTr("Filter the log")
            Layout.fillWidth: true
            placeholderText: qsTr("Filter the log (Ctrl+F)")
            onTextChanged: {
                log.selectionStart = -1
                log.selectionEnd = -1
                log.model.filterText = text
            }
            Keys.onEscapePressed: event => {
                if (text.length > 0) {
                    text = ""
                    event.accepted = true
                } else {
                    event.accepted = false
                }
            }
        }
        ComboBox {
            id: levelBox
            Accessible.name: qsTr("Lowest level shown")

            model: [qsTr("Debug"), qsTr("Info"), qsTr("Warning"), qsTr("Error")]
            currentIndex: log.model.minimumLevel
            onActivated: index => log.model.minimumLevel = index
        }
        CheckBox {
            id: followBox

            objectName: "followBox"
            text: qsTr("Follow")
            checked: true
        }
        Button {
            text: qsTr("Copy")
            enabled: log.selectionFirst >= 0
            onClicked: log.copySelection()
        }
        Label {
            text: qsTr("%1 lines").arg(view.count)
            opacity: 0.6
        }
    }

    Frame {
        Layout.fillWidth: true
        Layout.fillHeight: true
        padding: 1

        // The list's own background where no row is, the colour of the rows.
        Rectangle {
            anchors.fill: parent
            color: palette.base
        }

        ListView {
            id: view

            objectName: "logView"
            anchors.fill: parent
            clip: true
            model: log.viewModel
            boundsBehavior: Flickable.StopAtBounds
            reuseItems: true
            // No rows made beyond the visible ones: while following, the content moves by whole
            // screens, so buffered rows would only be made to be thrown away.
            cacheBuffer: 0
            // No current item: the log's selection is its own (selectionStart, selectionEnd), and
            // a current item at row 0 would be kept made wherever the view is.
            currentIndex: -1
            onModelChanged: {
                currentIndex = -1 // a new model makes row 0 current again
                log.selectionStart = -1
                log.selectionEnd = -1
                followLater()
            }
            focus: true
            // Shown while there is more than a screen, not faded in and out: while following, the
            // view moves with every batch, and the fade kept the window drawing ~170 frames a
            // second (the app-log case of tests/bench/gui-bench.sh).
            ScrollBar.vertical: ScrollBar {
                policy: view.contentHeight > view.height ? ScrollBar.AlwaysOn : ScrollBar.AlwaysOff
            }
            // Scrolling up by hand stops following; back at the bottom it follows again.
            onMovementEnded: log.follow = atYEnd
            // While following, the view is moved to the end as soon as lines come in, before its
            // next frame: its own count moves only in that frame's layout, and waiting for it
            // laid each batch out at the old place first and again at the end a frame later.
            Connections {
                target: view.model
                function onRowsInserted(parent, first, last) {
                    // A view not full yet that gets a screen of lines or more: none of the rows
                    // it shows stays in sight.
                    if (log.follow && view.count * log.rowHeight < view.height
                            && (last - first + 1) * log.rowHeight >= view.height) {
                        view.revealed = revealRows.from
                        revealRows.restart()
                    }
                    view.followLater()
                }
                function onModelReset() { view.followLater() }
                function onLayoutChanged() { view.followLater() }
            }
            // A first screen of log that arrives faster than a screen at a time is made over a
            // few frames, from the top down: rows are made only in the part of the view the
            // reveal has reached (a negative displayMarginEnd). Made in one go, its rows were the
            // window's one stall over 16 ms (tests/bench/gui-bench.sh --app-log). The margin also
            // keeps the lines' insertion, laid out where the view stands (the top), from making
            // a screen of rows there, to be given up by the move to the end that follows.
            property real revealed: 1
            displayMarginEnd: -Math.round((1 - revealed) * height)
            NumberAnimation {
                id: revealRows

                target: view
                property: "revealed"
                from: 0.25
                to: 1
                duration: 100
            }
            // A view made smaller (the window, a split) keeps the last line in sight too.
            onHeightChanged: followLater()
            function followLater() {
                if (log.follow)
                    Qt.callLater(view.toEnd)
            }
            // To the last line, by a scroll rather than positionViewAtEnd(): a scroll of more than
            // a screen gives the rows it leaves to the reuse pool before it makes the new ones,
            // where positionViewAtEnd() makes the new rows first and frees the old ones after (a
            // screen of new rows while the pool is empty, and a screen more kept in it after).
            function toEnd() {
                view.forceLayout()
                view.contentY = view.originY + Math.max(0, view.contentHeight - view.height)
            }

            Keys.onPressed: event => {
                if (event.matches(StandardKey.Copy)) {
                    log.copySelection()
                    event.accepted = true
                }
            }

            // Every batch scrolls a new set of lines into view while following, so each visible
            // row is rebound about 30 times a second: the row is kept cheap. A fixed height (the
            // view never measures a row), fixed columns instead of a layout (no polish pass per
            // row), plain text.
            delegate: Rectangle {
                id: line

                required property int index
                required property string timeText
                required property string levelName
                required property string stage
                required property string target
                required property string text
                readonly property bool selected: index >= log.selectionFirst && index <= log.selectionLast
                                                 && log.selectionFirst >= 0
                readonly property color textColour: selected ? palette.highlightedText : palette.text
                readonly property color dimColour: selected ? log.dimHighlightedText : log.dimText

                width: ListView.view.width
                height: log.rowHeight
                // Opaque, not transparent: the software renderer carries the region a frame
                // changed from the front node to the back, and a row that covers its texts takes
                // them out of it again. With transparent rows the region grew to every text of
                // the screen, and merging it took half of each frame's render while following.
                color: selected ? palette.highlight : palette.base

                Text {
                    x: log.timeX
                    width: log.timeWidth
                    anchors.verticalCenter: parent.verticalCenter
                    text: line.timeText
                    font: log.monoFont
                    textFormat: Text.PlainText
                    color: line.dimColour
                }
                Text {
                    x: log.levelX
                    width: 60
                    anchors.verticalCenter: parent.verticalCenter
                    text: line.levelName
                    font: log.monoFont
                    textFormat: Text.PlainText
                    color: line.selected ? line.textColour : Theme.levelColour(line.levelName, line.textColour)
                }
                Text {
                    x: log.stageX
                    width: 44
                    anchors.verticalCenter: parent.verticalCenter
                    text: line.stage
                    font: log.monoFont
                    textFormat: Text.PlainText
                    color: line.dimColour
                }
                Text {
                    visible: log.showTarget
                    x: log.targetX
                    width: log.targetWidth
                    anchors.verticalCenter: parent.verticalCenter
                    text: line.target
                    font: log.monoFont
                    textFormat: Text.PlainText
                    elide: Text.ElideRight
                    color: line.dimColour
                }
                Text {
                    x: log.textX
                    width: Math.max(0, line.width - log.textX - 6)
                    anchors.verticalCenter: parent.verticalCenter
                    text: line.text
                    font: log.monoFont
                    textFormat: Text.PlainText
                    elide: Text.ElideRight
                    color: line.selected || (line.levelName !== "error" && line.levelName !== "warning")
                           ? line.textColour : Theme.levelColour(line.levelName, line.textColour)
                }
            }

            // Click selects a line, Shift+click extends the selection: one pair of handlers for
            // the view rather than a mouse area in every row (rows are made and rebound often).
            function lineAt(point: point): int {
                return view.indexAt(point.x + view.contentX, point.y + view.contentY)
            }
            TapHandler {
                acceptedModifiers: Qt.NoModifier
                onTapped: eventPoint => {
                    view.forceActiveFocus()
                    const index = view.lineAt(eventPoint.position)
                    log.selectionStart = index
                    log.selectionEnd = index
                }
            }
            TapHandler {
                acceptedModifiers: Qt.ShiftModifier
                onTapped: eventPoint => {
                    view.forceActiveFocus()
                    const index = view.lineAt(eventPoint.position)
                    if (log.selectionStart < 0)
                        log.selectionStart = index
                    log.selectionEnd = index
                }
            }

            Label {
                anchors.centerIn: parent
                visible: view.count === 0
                text: log.model.filterText.length > 0 ? qsTr("No line matches the filter.")
                                                      : qsTr("The build's log appears here.")
                opacity: 0.6
            }
        }
    }

    // The clipboard, reached the way QML can: through a text editor's copy().
    TextEdit {
        id: clipboardHelper

        visible: false
        textFormat: TextEdit.PlainText
    }
}
