"""The Domain Transfer Network, whole: the method (``method``), its config (``config``), its
losses (``losses``), the readers its losses and D see G's output through (``readers``) and the
checks a recipe passes at load (``checks``). Its networks are the named variants of
``seqimg.model``. Importing this package imports nothing heavy."""
