#pragma once

#include <QFrame>
#include <QPersistentModelIndex>

// One row of a CardListView drawn as a card. The view reuses cards while scrolling: bind()
// points a card at another row; it must show that row entirely from the model.
class CardWidget : public QFrame
{
    Q_OBJECT
public:
    explicit CardWidget(QWidget *parent = nullptr);

    virtual void bind(const QModelIndex &index) = 0;
    QPersistentModelIndex index() const { return m_index; }
    void setSelected(bool selected);
    bool isSelected() const { return m_selected; }

signals:
    void pressed(Qt::KeyboardModifiers modifiers);

protected:
    void mousePressEvent(QMouseEvent *event) override;
    void setIndex(const QModelIndex &index) { m_index = index; }

private:
    QPersistentModelIndex m_index;
    bool m_selected = false;
};
