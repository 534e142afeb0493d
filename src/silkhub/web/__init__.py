"""Server-rendered, bilingual (zh-CN / en) web UI."""
