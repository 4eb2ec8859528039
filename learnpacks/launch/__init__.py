"""Launch targets: Binder and JupyterHub (nbgitpuller) links built from ``packs/_config.yml``."""
