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

        ListView {
            id: view

            objectName: "logView"
            anchors.fill: parent
            clip: true
            model: log.viewModel
            boundsBehavior: Flickable.StopAtBounds
            reuseItems: true
            onModelChanged: {
                log.selectionStart = -1
                log.selectionEnd = -1
            }
            focus: true
            ScrollBar.vertical: ScrollBar {}
            // Scrolling up by hand stops following; back at the bottom it follows again.
            onMovementEnded: log.follow = atYEnd
            onCountChanged: if (log.follow) Qt.callLater(view.positionViewAtEnd)

            Keys.onPressed: event => {
                if (event.matches(StandardKey.Copy)) {
                    log.copySelection()
                    event.accepted = true
                }
            }

            delegate: Rectangle {
                id: line

                required property int index
                required property string timeText
                required property string levelName
                required property string stage
                required property string text
                readonly property bool selected: index >= log.selectionFirst && index <= log.selectionLast
                                                 && log.selectionFirst >= 0

                width: ListView.view.width
                implicitHeight: row.implicitHeight + 2
                color: selected ? palette.highlight : "transparent"

                RowLayout {
                    id: row

                    anchors.fill: parent
                    anchors.leftMargin: 6
                    anchors.rightMargin: 6
                    spacing: 10

                    Text {
                        text: line.timeText
                        font.family: Theme.monospace
                        color: line.selected ? line.palette.highlightedText : line.palette.text
                        opacity: 0.6
                    }
                    Text {
                        Layout.preferredWidth: 60
                        text: line.levelName
                        font.family: Theme.monospace
                        color: line.selected ? line.palette.highlightedText
                                             : Theme.levelColour(line.levelName, line.palette.text)
                    }
                    Text {
                        Layout.preferredWidth: 44
                        text: line.stage
                        font.family: Theme.monospace
                        color: line.selected ? line.palette.highlightedText : line.palette.text
                        opacity: 0.6
                    }
                    Text {
                        Layout.fillWidth: true
                        text: line.text
                        font.family: Theme.monospace
                        textFormat: Text.PlainText
                        elide: Text.ElideRight
                        color: line.selected ? line.palette.highlightedText
                                             : (line.levelName === "error" || line.levelName === "warning"
                                                ? Theme.levelColour(line.levelName, line.palette.text)
                                                : line.palette.text)
                    }
                }

                MouseArea {
                    anchors.fill: parent
                    onClicked: mouse => {
                        view.forceActiveFocus()
                        if ((mouse.modifiers & Qt.ShiftModifier) && log.selectionStart >= 0) {
                            log.selectionEnd = line.index
                        } else {
                            log.selectionStart = line.index
                            log.selectionEnd = line.index
                        }
                    }
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
