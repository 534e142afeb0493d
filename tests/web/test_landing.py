import re


def test_landing_bilingual(client):
    en = client.get("/", headers={"accept-language": "en"})
    assert en.status_code == 200
    assert "Belt and Road cooperation document" in en.text
    count = int(re.search(r'class="kpi-value">(\d+)<', en.text).group(1))
    assert count > 100
    zh = client.get("/?lang=zh")
    assert "一带一路" in zh.text and 'lang="zh-CN"' in zh.text
    # the explicit choice is remembered
    assert client.get("/").text.count("签署") >= 1


def test_accept_language_zh(client):
    r = client.get("/", headers={"accept-language": "zh-CN,zh;q=0.9"})
    assert 'lang="zh-CN"' in r.text
