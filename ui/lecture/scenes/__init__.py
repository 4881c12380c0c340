"""The scenes' figures, one module per lecture part; each calls its page's lesson code and chart builders."""
