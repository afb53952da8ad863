# A plain image for the web, worker and beat processes (docker-compose.yml runs all three).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# Hashed static files are built into the image; WhiteNoise serves them.
RUN DEBUG=0 SECRET_KEY=build-only python manage.py collectstatic --noinput --verbosity 0
RUN useradd --create-home crisisdesk
USER crisisdesk
EXPOSE 8000
# uvicorn (ASGI): pages, API and the live room's event streams, as `make prod` serves them.
CMD ["uvicorn", "crisisdesk.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--workers", "2", \
     "--loop", "uvloop", "--http", "httptools", "--lifespan", "off", "--ws", "none", "--no-access-log", \
     "--timeout-graceful-shutdown", "10", "--timeout-keep-alive", "75"]
