#pragma once

#include <QList>
#include <QWidget>

// A small painted line chart of the last N samples of one figure (queue depth, failure rate).
class Sparkline : public QWidget
{
    Q_OBJECT
public:
    explicit Sparkline(QString label, QWidget *parent = nullptr);
    void addSample(double value);
    void setCapacity(int samples) { m_capacity = samples; }
    const QList<double> &samples() const { return m_samples; }

protected:
    void paintEvent(QPaintEvent *event) override;
    QSize sizeHint() const override { return { 240, 56 }; }

private:
    QString m_label;
    QList<double> m_samples;
    int m_capacity = 100;
};
