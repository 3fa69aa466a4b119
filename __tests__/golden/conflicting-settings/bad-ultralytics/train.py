from ultralytics import YOLO

model = YOLO("yolo11n.pt")
# Two epochs on our own data: the default warmup_epochs 3.0 covers the whole run.
results = model.train(data="data/parts.yaml", epochs=2, batch=32, imgsz=640, optimizer="AdamW", lr0=1e-3)
